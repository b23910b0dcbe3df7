"""`make audit`: Lighthouse 12 on the public pages and the login, as a browser meets them.

Serves the app with gunicorn from a throw-away instance (SQLite, the bundled article, one
inquiry so its questionnaire link exists), then runs Lighthouse (tools/audit, with Debian's
Chromium from CHROME_PATH) three times per page at the mobile and the desktop presets and
prints the median scores. Exits 1 when a median misses its target.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LIGHTHOUSE = ROOT / "tools" / "audit" / "node_modules" / ".bin" / "lighthouse"
SEED = ROOT / "seed" / "stem-cell-spinal-stenosis.wp.json"
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
RUNS = 3
# SEO counts on the article only: the other pages say `noindex` on purpose.
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}

sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(env: dict[str, str]) -> tuple[str, str]:
    """Create the tables, import the article, store one inquiry; returns (slug, questionnaire path)."""
    from leads import create_app
    from leads.extensions import db
    from leads.inquiries.service import InquiryData, submit_inquiry
    from leads.links import questionnaire_url
    from leads.models import Article

    app = create_app(env=env)
    with app.app_context():
        db.create_all()
        result = app.test_cli_runner().invoke(args=["articles", "import", str(SEED)])
        if result.exit_code != 0:
            sys.exit(f"make audit: importing the article failed:\n{result.output}")
        article = db.session.scalar(db.select(Article))
        stored = submit_inquiry(
            article,
            InquiryData(
                submission_id=secrets.token_hex(8),
                full_name="Audit Patient",
                email="audit.patient@example.org",
                consent_text=app.config["CONSENT_TEXT"],
                consent_version=app.config["CONSENT_VERSION"],
            ),
        )
        path = questionnaire_url(stored.inquiry_id).split("://", 1)[1].split("/", 1)[1]
        return article.slug, "/" + path


def wait_for(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310  (our own local server)
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    sys.exit("make audit: gunicorn did not start")


def lighthouse(url: str, preset: str, env: dict[str, str]) -> dict[str, int]:
    command = [
        str(LIGHTHOUSE), url, "--output=json", "--output-path=stdout", "--quiet",
        f"--chrome-flags={CHROME_FLAGS}", f"--only-categories={','.join(CATEGORIES)}",
    ]  # fmt: skip
    if preset == "desktop":
        command.append("--preset=desktop")
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603  (fixed arguments)
    if result.returncode != 0:
        sys.exit(f"make audit: lighthouse failed on {url}:\n{result.stderr[-2000:]}")
    report = json.loads(result.stdout)
    return {name: round(100 * (report["categories"][name]["score"] or 0)) for name in CATEGORIES}


def main() -> int:
    if not LIGHTHOUSE.exists():
        sys.exit("make audit: Lighthouse is not installed (npm ci --prefix tools/audit)")
    folder = Path(tempfile.mkdtemp(prefix="audit-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "INSTANCE_PATH": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'audit.sqlite'}",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": f"sqla+sqlite:///{folder / 'broker.sqlite'}",
        "MAIL_SERVER": "",
        "PUBLIC_BASE_URL": base,
        "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium"),
        "PYTHONPATH": str(ROOT),
    }
    slug, questionnaire = prepare(env)
    pages = {
        "article": f"/{slug}/",
        "thanks": f"/{slug}/thanks",
        "questionnaire": questionnaire,
        "login": "/login",
    }
    server = subprocess.Popen(  # noqa: S603  (our venv's gunicorn, fixed arguments)
        [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "app:create_app()"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    misses = []
    try:
        wait_for(base, server)
        print(f"{'page':<15}{'preset':<9}" + "".join(f"{name:>16}" for name in CATEGORIES))
        for page, path in pages.items():
            for preset in ("mobile", "desktop"):
                runs = [lighthouse(base + path, preset, env) for _ in range(RUNS)]
                medians = {name: int(statistics.median(run[name] for run in runs)) for name in CATEGORIES}
                print(
                    f"{page:<15}{preset:<9}" + "".join(f"{medians[name]:>16}" for name in CATEGORIES),
                    flush=True,
                )
                for name, target in TARGETS.items():
                    if (name != "seo" or page == "article") and medians[name] < target:
                        misses.append(f"{page} ({preset}) {name}: {medians[name]} < {target}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    for miss in misses:
        print(f"below target: {miss}")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
