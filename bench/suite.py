"""`make bench`: every figure of issue 9 on the production stack, each beside its baseline.

    python -m bench.suite [--leads 1000000] [--rounds 3] [--quick]

gunicorn with gunicorn.conf.py (2 sync workers), a Celery worker (threads, 4) and beat,
PostgreSQL, Redis and an SMTP sink, all started here from the project's files on a fresh
database. Then, in order: the article GET (wrk) against a bare Flask route; the inquiry
cycle with the servers' CPU per inquiry; the POST against plain psycopg inserts; 303 →
confirmation at the sink; 2,000 due confirmations against plain smtplib; memory; a million
leads seeded for the inbox, its searches, the statistics page and the export; and the
embedded SQLite default under a burst. Writes docs/benchmarks.json and the table in
docs/benchmarks.md. `--quick` is a smoke run (short rounds, 20,000 leads), not a measurement.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import dashboard_scale, delivery, profile, report, web_load
from bench.common import postgres_base_url
from bench.stack import production_stack, rss_mb


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def step(name: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {name}", flush=True)


def sqlite_burst(rounds: int, seconds: float) -> dict:
    from bench.sqlite_burst import one_round, summarize

    runs = [one_round(mode, 20, seconds) for _ in range(rounds) for mode in ("wal", "delete")]
    return summarize(runs) | {"rounds": runs}


def profiles(stack, folder: Path, seconds: int, emails: int) -> dict:
    web_raw, worker_raw = folder / "web.pyspy", folder / "worker.pyspy"
    with profile.recording(stack.web_worker_pids()[0], web_raw):
        web_load.inquiry_cycle(stack, 1, seconds, tag="profiled")
    delivery.store_due_confirmations(stack, emails, "profile")
    with profile.recording(stack.worker.popen.pid, worker_raw):
        delivery.send_sweep(stack)
        web_load.wait_for_deliveries(stack, "profile", emails, timeout=600)
    return {
        "gunicorn worker, inquiry cycle": profile.top_frames(web_raw),
        "Celery worker, due confirmations": profile.top_frames(worker_raw),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10, help="length of each load round")
    parser.add_argument("--emails", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="a smoke run: short rounds, few leads")
    parser.add_argument("--no-write", action="store_true", help="print, but leave docs/ alone")
    parser.add_argument("--profile", action="store_true", help="add py-spy's top frames (extra rounds)")
    parser.add_argument("--keep", type=Path, help="keep the processes' logs in this folder")
    args = parser.parse_args()
    if args.quick:
        args.leads, args.rounds, args.seconds, args.emails = 20_000, 1, 3, 200
    if not shutil.which("wrk"):
        sys.exit("make bench needs wrk (Debian: apt-get install wrk)")
    pg_base = postgres_base_url()
    if pg_base is None:
        sys.exit("make bench needs PostgreSQL (DATABASE_URL, or a local server on 127.0.0.1:5432)")
    redis_url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/8"

    started = time.monotonic()
    figures: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "rounds": args.rounds,
        "machine": {
            "cpus": os.cpu_count(),
            "cpu_model": cpu_model(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_before": os.getloadavg(),
        },
    }
    logging.disable(logging.INFO)  # the in-process service calls would log each stored inquiry
    with tempfile.TemporaryDirectory(prefix="leads-bench-") as workdir:
        folder = args.keep or Path(workdir)
        step("starting gunicorn, Celery worker and beat, SMTP sink on a fresh PostgreSQL database")
        with production_stack(pg_base, redis_url, folder) as stack:
            step("article GET vs bare Flask route")
            figures["article_get"] = web_load.article_get(stack, folder, args.rounds, args.seconds)
            step("inquiry cycle, 8 clients, server CPU per inquiry")
            figures["inquiry_cycle"] = web_load.inquiry_cycle(stack, args.rounds, args.seconds)
            step("inquiry POST vs plain psycopg")
            figures["inquiry_post"] = web_load.inquiry_post(stack, args.rounds, args.seconds)
            step("303 -> confirmation at SMTP, 10 inquiries/s")
            figures["confirmation_latency"] = web_load.confirmation_latency(stack, 10, 2 * args.seconds)
            step(f"{args.emails} due confirmations vs plain smtplib")
            figures["confirmations"] = delivery.confirmations(stack, args.emails, max(2, args.rounds - 1))
            requests = sum(figures[k]["requests"] for k in ("article_get", "inquiry_cycle", "inquiry_post"))
            figures["memory"] = {
                "requests": requests,
                "gunicorn_workers_mb": [rss_mb(pid) for pid in stack.web_worker_pids()],
                "celery_worker_mb": max(rss_mb(pid) for pid in stack.worker.pids()),
            }
            if args.profile:
                step("profiles: one more cycle round and one more batch of confirmations under py-spy")
                figures["profiles"] = profiles(stack, folder, args.seconds, args.emails // 4)
            step(f"seeding {args.leads:,} leads")
            seeded = dashboard_scale.seed(stack, args.leads)
            step("inbox, search and statistics over HTTP")
            figures["dashboard"] = {
                "leads": args.leads,
                "seed_seconds": seeded,
                "pages": dashboard_scale.dashboard_pages(stack, args.leads, 10 if args.quick else 30),
            }
            step("CSV export of every lead through the worker")
            figures["dashboard"]["export"] = dashboard_scale.export_everything(stack)
        step("embedded SQLite default, 20 clients posting")
        figures["sqlite_burst"] = sqlite_burst(max(1, args.rounds - 1), 5 if args.quick else 15)
    figures["machine"]["load_after"] = os.getloadavg()
    figures["duration_s"] = time.monotonic() - started
    print()
    for row in report.rows(figures):
        print(" | ".join(row))
    if not args.no_write and not args.quick:
        report.write(figures)
        print(
            f"\nwrote {report.DOC.relative_to(report.PROJECT_ROOT)} and {report.RAW.relative_to(report.PROJECT_ROOT)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
