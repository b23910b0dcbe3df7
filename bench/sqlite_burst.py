"""The embedded SQLite default under a burst: 20 patients posting at once through gunicorn.

    python -m bench.sqlite_burst [--clients 20] [--seconds 20] [--rounds 2]

gunicorn as in production (gunicorn.conf.py, 2 sync workers) on a fresh SQLite database and
the embedded SQLite broker, no Redis. Each client behaves like a browser: GET the article page,
take the CSRF token and submission id, POST a unique valid inquiry, follow nothing. The rate
limiter stays on with its limits raised above the test rate. Rounds alternate WAL (built) and
the rollback journal (baseline, SQLITE_JOURNAL_MODE=delete); figures are the medians of the
rounds' POST latencies and inquiries per second.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

from bench.common import RESULTS, import_seed
from leads import create_app
from leads.extensions import db
from tests.proxy.stack import gunicorn

PORT = 5231
TOKEN = re.compile(r'name="(csrf_token|submission_id)" type="hidden" value="([^"]+)"')


def prepare(env: dict[str, str]) -> str:
    """Create the schema and import the bundled article; returns its slug."""
    app = create_app(env=env)
    with app.app_context():
        db.create_all()
        slug = import_seed(app)
        db.engine.dispose()
    return slug


def client_loop(base: str, slug: str, stop: float, latencies: list[float], errors: list[str]) -> None:
    session = requests.Session()
    while time.monotonic() < stop:
        page = session.get(f"{base}/{slug}/", timeout=60)
        tokens = dict(TOKEN.findall(page.text))
        started = time.perf_counter()
        try:
            response = session.post(
                f"{base}/{slug}/",
                data={
                    **tokens,
                    "full_name": "Burst Patient",
                    "email": f"burst.{uuid.uuid4().hex[:12]}@example.org",
                    "preferred_contact": "email",
                    "symptoms": ["Lower back pain"],
                    "message": "Walking hurts.",
                    "consent": "y",
                    "website": "",
                },
                allow_redirects=False,
                timeout=60,
            )
        except requests.RequestException as error:
            errors.append(type(error).__name__)
            continue
        if response.status_code != 303:
            errors.append(str(response.status_code))
            continue
        latencies.append(time.perf_counter() - started)


def one_round(journal_mode: str, clients: int, seconds: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="sqlite-burst-") as workdir:
        env = {
            "SECRET_KEY": "bench-secret-key-not-for-production",
            "INSTANCE_PATH": str(Path(workdir) / "instance"),
            "DATABASE_URL": f"sqlite:///{Path(workdir) / 'leads.sqlite'}",
            "PUBLIC_BASE_URL": "http://127.0.0.1",
            "SQLITE_JOURNAL_MODE": journal_mode,
            "INQUIRY_RATE_LIMIT": "100000 per minute",
            "INQUIRY_POST_LIMIT": "100000 per minute",
        }
        slug = prepare(env)
        latencies: list[float] = []
        errors: list[str] = []
        with gunicorn(env, PORT, Path(workdir) / "gunicorn.log"):
            stop = time.monotonic() + seconds
            threads = [
                threading.Thread(
                    target=client_loop, args=(f"http://127.0.0.1:{PORT}", slug, stop, latencies, errors)
                )
                for _ in range(clients)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        latencies.sort()

        def pct(p: float) -> float:
            return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000, 1)

        return {
            "journal_mode": journal_mode,
            "inquiries": len(latencies),
            "per_second": round(len(latencies) / seconds, 1),
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "errors": len(errors),
            "error_kinds": sorted(set(errors)),
        }


def summarize(rounds: list[dict]) -> dict:
    """Per journal mode: the medians of the rounds' figures, and all their errors."""
    summary = {}
    for mode in ("wal", "delete"):
        mine = [r for r in rounds if r["journal_mode"] == mode]
        summary[mode] = {
            key: statistics.median(r[key] for r in mine)
            for key in ("per_second", "p50_ms", "p95_ms", "p99_ms")
        } | {"errors": sum(r["errors"] for r in mine)}
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    rounds = []
    for _ in range(args.rounds):
        for mode in ("wal", "delete"):
            rounds.append(one_round(mode, args.clients, args.seconds))
            print(json.dumps(rounds[-1]))
    summary = summarize(rounds)
    print(f"\nSQLite, {args.clients} clients posting, medians of {args.rounds} rounds each:")
    for mode, label in (("wal", "WAL + busy timeout (built)"), ("delete", "baseline: rollback journal")):
        figures = summary[mode]
        print(
            f"  {label:<30} {figures['per_second']:>6}/s  p50 {figures['p50_ms']} ms  "
            f"p95 {figures['p95_ms']} ms  p99 {figures['p99_ms']} ms  errors {figures['errors']}"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "sqlite_burst.json").write_text(json.dumps({"rounds": rounds, "summary": summary}, indent=2))


if __name__ == "__main__":
    main()
