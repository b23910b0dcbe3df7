"""A large CSV export as the worker writes it: time, rows per second, and memory growth.

    python -m bench.export_scale [--leads 200000] [--backend postgresql]

Seeds N leads with `flask dev seed`'s loader, records an export job for all of them and runs
the task's service function (what the Celery worker runs) in this process, sampling the
progress the job page shows and the process's resident memory as it goes. The baseline is
the same rows through the inline streaming response's generator (what a request ran before,
until gunicorn's 30 s timeout cut it).
"""

from __future__ import annotations

import argparse
import json
import resource
import threading
import time

import sqlalchemy as sa

from bench.common import RESULTS, backends, bench_app
from leads.dashboard.export import csv_chunks
from leads.dashboard.export_jobs import exports_dir, run_export
from leads.dashboard.filters import InboxFilters
from leads.devtools.seed import seed_leads
from leads.extensions import db
from leads.models import ExportJob, User
from leads.models.base import utcnow


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def sample_while(func, engine, job_id: int | None) -> tuple[float, float, list[tuple[float, int]]]:
    """Run func; meanwhile sample RSS and the job's rows_done each second. (seconds, peak MB, progress)."""
    peak, progress, done = rss_mb(), [], threading.Event()

    def sampler() -> None:
        nonlocal peak
        started = time.perf_counter()
        while not done.wait(1):
            peak = max(peak, rss_mb())
            if job_id is not None:
                with engine.connect() as conn:
                    rows = conn.execute(sa.select(ExportJob.rows_done).where(ExportJob.id == job_id)).scalar()
                progress.append((round(time.perf_counter() - started, 1), rows))

    thread = threading.Thread(target=sampler, daemon=True)
    thread.start()
    started = time.perf_counter()
    func()
    seconds = time.perf_counter() - started
    done.set()
    thread.join()
    return seconds, max(peak, rss_mb()), progress


def run_on(backend: str, total: int) -> dict:
    with bench_app(backend):
        seed_leads(total)
        user = User(email="bench@example.com", full_name="Bench", role="coordinator", password_hash="x")  # noqa: S106  (never logs in)
        db.session.add(user)
        db.session.commit()
        figures: dict = {"backend": backend, "leads": total, "rss_before_mb": round(rss_mb(), 1)}

        def inline() -> None:
            for _chunk in csv_chunks(InboxFilters(), user.id, utcnow()):
                pass

        seconds, peak, _ = sample_while(inline, db.engine, None)
        db.session.expire_all()
        figures["baseline_inline_seconds"] = round(seconds, 1)
        figures["baseline_inline_peak_rss_mb"] = round(peak, 1)

        job = ExportJob(user_id=user.id, filters={}, rows_total=total)
        db.session.add(job)
        db.session.commit()
        seconds, peak, progress = sample_while(lambda: run_export(job.id), db.engine, job.id)
        db.session.expire_all()
        job = db.session.get(ExportJob, job.id)
        size = (exports_dir() / job.file_name).stat().st_size
        figures |= {
            "job_state": job.state,
            "job_rows": job.rows_done,
            "job_seconds": round(seconds, 1),
            "job_rows_per_second": round(job.rows_done / seconds),
            "job_peak_rss_mb": round(peak, 1),
            "file_mb": round(size / 2**20, 1),
            "progress_samples": progress[:: max(1, len(progress) // 10)],
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=200_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    results = [run_on(backend, args.leads) for backend in ([args.backend] if args.backend else backends())]
    for figures in results:
        print(json.dumps(figures, indent=2))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "export_scale.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
