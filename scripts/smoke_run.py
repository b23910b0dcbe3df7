"""Check `make run` end to end: it serves the article, then Ctrl-C leaves no process behind.

    python scripts/smoke_run.py [--keep-instance]

Starts `make run` in its own process group on a free port with a throw-away
instance folder, waits for the article page and /healthz, sends SIGINT to the
group (what Ctrl-C in a terminal does), then looks for any process that still
carries this run's marker in its environment. Exits non-zero on any failure.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The patient the smoke test writes as; coordinators' notices go elsewhere and carry no unsubscribe link.
PATIENT = "smoke.test@example.org"
SLUG = "mayo-clinic-stem-cell-therapy-for-spinal-stenosis"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  (loopback only)
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


def submit_inquiry(base: str) -> int:
    """Post the article's form as a browser would (cookie + CSRF token); returns the status."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(f"{base}/{SLUG}/", timeout=10) as response:
        page = response.read().decode("utf-8")
    fields = {}
    for tag in re.findall(r'<input[^>]*type="hidden"[^>]*>', page):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    symptoms = re.findall(r'name="symptoms"[^>]*value="([^"]+)"', page)
    data = [*fields.items(), ("full_name", "Smoke Test"), ("email", PATIENT)]
    data += [("preferred_contact", "email"), ("consent", "y"), ("symptoms", html.unescape(symptoms[0]))]
    request = urllib.request.Request(  # noqa: S310  (a loopback http URL we built)
        f"{base}/{SLUG}/", data=urllib.parse.urlencode(data).encode(), method="POST"
    )
    try:
        with opener.open(request, timeout=10) as response:  # follows the 303 to the thank-you page
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def marked_processes(marker: str) -> list[str]:
    """Processes whose environment carries the marker: everything this run started."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if marker.encode() in (proc / "environ").read_bytes():
                cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                found.append(f"{proc.name}: {cmd.strip()}")
        except OSError:
            continue
    return found


def instance_mode_problems(instance: Path) -> list[str]:
    """instance/ must be 0700 and hold only private files (0600) and folders (0700)."""
    problems = []
    names = {path.name for path in instance.iterdir()}
    wanted = {"leads.sqlite", "broker.sqlite", "secret_key"}
    if not wanted <= names or not any(name.startswith("celerybeat-schedule") for name in names):
        problems.append(f"instance/ lacks a database, broker, key or schedule file: {sorted(names)}")
    for path in [instance, *instance.rglob("*")]:
        expected = 0o700 if path.is_dir() else 0o600
        if path.is_symlink() or stat.S_IMODE(path.stat().st_mode) == expected:
            continue
        problems.append(f"{path} is {oct(stat.S_IMODE(path.stat().st_mode))}, not {oct(expected)}")
    return problems


def smoke(keep_instance: bool = False, startup_timeout: float = 600) -> tuple[list[str], str]:
    """Run the check; returns the failures (empty when all is well) and what `make run` printed."""
    port = free_port()
    instance = Path(tempfile.mkdtemp(prefix="leads-smoke-"))
    instance.chmod(0o755)  # as a plain mkdir leaves it: `make run` must tighten it
    marker_name, marker_value = "LEADS_SMOKE_RUN", uuid.uuid4().hex
    env = {
        # `make run`'s promise is the server-less default: no DATABASE_URL, no REDIS_URL.
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "PORT": str(port),
        "INSTANCE_PATH": str(instance),
        "QUESTIONNAIRE_DELAY_SECONDS": "5",
        marker_name: marker_value,
    }
    log_path = instance / "make-run.log"
    log = log_path.open("w")
    started = time.monotonic()
    # make from PATH, as a developer runs it.
    proc = subprocess.Popen(
        ["make", "run"],  # noqa: S607
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    failures: list[str] = []
    try:
        status = 0
        while time.monotonic() - started < startup_timeout and proc.poll() is None:
            try:
                status, _ = get(f"{base}/healthz")
            except (urllib.error.URLError, OSError):
                status = 0
            if status == 200:
                break
            time.sleep(0.5)
        if status != 200:
            failures.append(f"/healthz never answered 200 (make exited: {proc.poll()})")
        else:
            print(f"ready after {time.monotonic() - started:.1f}s on {base}")
            code, body = get(f"{base}/{SLUG}/")
            print(f"GET /{SLUG}/ -> {code}")
            if code != 200 or "<form" not in body:
                failures.append(f"the article page answered {code} without a form")
            status = submit_inquiry(base)
            print(f"POST the inquiry form -> {status} (after the redirect)")
            outbox = instance / "outbox"
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not list(outbox.glob("*.eml")):
                time.sleep(0.5)
            emails = sorted(outbox.glob("*.eml"))
            print(f"{len(emails)} .eml file(s) in {outbox} after the post")
            if status != 200 or not emails:
                failures.append(
                    f"the inquiry answered {status} and wrote {len(emails)} .eml files within 20 s"
                )
            patient_emails = [email for email in emails if PATIENT in email.read_text()]
            if not patient_emails:
                failures.append(f"no email to the patient among {len(emails)} .eml files")
            for email in patient_emails:
                # The worker builds the links; they must lead back to the server that runs.
                links = set(re.findall(r"http://[^/\s<>\"]+/unsubscribe/", email.read_text()))
                if links != {f"{base}/unsubscribe/"}:
                    failures.append(f"{email.name} links to {sorted(links)}, not to {base}")
            failures += instance_mode_problems(instance)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            failures.append("make run did not stop within 30 s of SIGINT")
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
    time.sleep(1)
    left = marked_processes(f"{marker_name}={marker_value}")
    if left:
        failures.append("processes left behind: " + "; ".join(left))
        for entry in left:  # clean up what this check started, by pid
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(entry.split(":", 1)[0]), signal.SIGKILL)
    output = log_path.read_text()
    for needed in (f"Open {base}/{SLUG}/", f"Dashboard: {base}/dashboard/"):
        if needed not in output:
            failures.append(f"make run did not print {needed!r}")
    if not keep_instance:
        shutil.rmtree(instance, ignore_errors=True)
    return failures, output


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep-instance", action="store_true", help="keep the temporary instance folder")
    args = parser.parse_args()
    failures, output = smoke(keep_instance=args.keep_instance)
    print(output[-4000:])
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    if not failures:
        print("OK: make run served the article, sent the confirmation and stopped cleanly; no process left")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
