"""Shared pieces of the benchmarks: a throw-away app and database, timing, and the table."""

from __future__ import annotations

import json
import logging
import os
import platform
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask

from leads import create_app
from leads.config import PROJECT_ROOT
from leads.extensions import db

SEED = PROJECT_ROOT / "seed" / "stem-cell-spinal-stenosis.wp.json"
RESULTS = PROJECT_ROOT / "bench" / "results"
LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass
class Result:
    name: str
    backend: str
    n: int
    mean_ms: float
    p50_ms: float
    p95_ms: float
    per_second: float


def measure(name: str, backend: str, func: Callable[[int], object], n: int, warmup: int = 20) -> Result:
    """Call func(i) n times after a warm-up; wall-clock per call."""
    for i in range(warmup):
        func(-1 - i)
    durations = []
    for i in range(n):
        start = time.perf_counter()
        func(i)
        durations.append(time.perf_counter() - start)
    durations.sort()
    mean = statistics.fmean(durations)
    return Result(
        name=name,
        backend=backend,
        n=n,
        mean_ms=mean * 1000,
        p50_ms=durations[len(durations) // 2] * 1000,
        p95_ms=durations[int(len(durations) * 0.95) - 1] * 1000,
        per_second=1 / mean,
    )


def print_table(title: str, results: list[Result]) -> None:
    print(f"\n{title}")
    header = f"{'case':<44} {'db':<10} {'n':>6} {'mean ms':>9} {'p50 ms':>8} {'p95 ms':>8} {'per s':>9}"
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.name:<44} {r.backend:<10} {r.n:>6} {r.mean_ms:>9.3f} {r.p50_ms:>8.3f} {r.p95_ms:>8.3f} {r.per_second:>9.1f}"
        )


def save(bench: str, results: list[Result]) -> Path:
    """Write the figures as JSON under bench/results/ (git-ignored) for docs/benchmarks.md."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{bench}.json"
    path.write_text(
        json.dumps(
            {
                "bench": bench,
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                    # Other work on the machine moves these figures; keep the load beside them.
                    "load_average": os.getloadavg(),
                },
                "broker": "redis" if os.environ.get("REDIS_URL") else "sqlite (kombu SQLAlchemy transport)",
                "results": [asdict(r) for r in results],
            },
            indent=2,
        )
    )
    return path


def postgres_base_url() -> str | None:
    """DATABASE_URL when it is PostgreSQL, else the machine's local server if it answers."""
    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    candidates = [url] if url.startswith(("postgres://", "postgresql")) else [LOCAL_POSTGRES]
    for candidate in candidates:
        plain = "postgresql://" + candidate.split("://", 1)[1]
        try:
            with psycopg.connect(plain, connect_timeout=2):
                return plain
        except psycopg.Error:
            continue
    return None


@contextmanager
def bench_app(backend: str, **overrides) -> Iterator[Flask]:
    """An app on a fresh database (`sqlite` file or a new PostgreSQL database), dropped afterwards."""
    logging.disable(logging.INFO)  # per-request INFO lines would be timed too
    with tempfile.TemporaryDirectory(prefix="leads-bench-") as instance:
        env = {
            "INSTANCE_PATH": instance,
            "SECRET_KEY": "bench-only-secret",
            "REDIS_URL": os.environ.get("REDIS_URL", ""),
            "PUBLIC_BASE_URL": "http://clinic.bench",
        }
        pg_name = None
        if backend == "postgresql":
            import psycopg

            base = postgres_base_url()
            if base is None:
                raise RuntimeError("PostgreSQL is not reachable")
            pg_name = f"leads_bench_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(base, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{pg_name}"')
            env["DATABASE_URL"] = base.rsplit("/", 1)[0] + f"/{pg_name}"
        app = create_app(
            overrides={"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, **overrides}, env=env
        )
        try:
            with app.app_context():
                db.create_all()
                yield app
                db.session.remove()
                db.engine.dispose()
        finally:
            if pg_name:
                import psycopg

                with psycopg.connect(postgres_base_url(), autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def backends() -> list[str]:
    found = ["sqlite"]
    if postgres_base_url():
        found.append("postgresql")
    else:
        print("(PostgreSQL not reachable: SQLite only)")
    return found


def import_seed(app: Flask) -> str:
    """Import the bundled article with the app's own importer; returns its slug."""
    from leads.articles.importer import import_post

    with app.app_context():
        result = import_post(json.loads(SEED.read_text(encoding="utf-8")))
        return result.article.slug
