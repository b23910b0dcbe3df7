"""Real worker processes (`celery -A app:celery_app worker`) on the real broker, and a real SMTP server."""

from __future__ import annotations

import os

import pytest

from tests.processes import Worker


@pytest.fixture
def broker_env(base_env, tmp_path) -> dict[str, str]:
    """A broker of this test's own: messages other tests published (and nobody consumed)
    must never reach this test's workers and claim its rows, whose ids restart at 1."""
    if base_env["CELERY_BROKER_URL"].startswith("redis"):
        return {"CELERY_KEY_PREFIX": f"{base_env['CELERY_KEY_PREFIX']}{tmp_path.name}:"}
    return {"CELERY_BROKER_URL": f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}"}


@pytest.fixture
def worker_env(base_env, broker_env, smtp, tmp_path) -> dict[str, str]:
    """What a worker process sees: the test database and broker, the test SMTP server, short delays."""
    return {
        **os.environ,
        **base_env,
        **broker_env,
        **smtp.env,
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "EMAIL_RETRY_BASE_SECONDS": "1",
        "EMAIL_RETRY_MAX_SECONDS": "2",
        # Long enough that a sweep never takes a row back from a live worker on a busy machine
        # (SQLite's write lock can stall one for seconds), short enough to take back a dead one's.
        "EMAIL_LEASE_SECONDS": "5",
        "EMAIL_RECORD_RETRY_SECONDS": "2",
        "OUTBOX_BATCH_SIZE": "10",
    }


@pytest.fixture
def start_worker(worker_env, tmp_path):
    """Start worker processes; each is stopped (or already killed) at the end of the test."""
    workers: list[Worker] = []

    def start(name: str = "w1", concurrency: int = 2) -> Worker:
        worker = Worker(worker_env, tmp_path / f"{name}.log", f"{name}-{len(workers)}", concurrency)
        workers.append(worker)
        return worker.wait_ready()

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def worker_app(make_app, broker_env, smtp):
    """The test's own app: same database and broker as the workers, short leases."""
    app = make_app(
        env={**broker_env, **smtp.env},
        EMAIL_RETRY_BASE_SECONDS=1,
        EMAIL_RETRY_MAX_SECONDS=2,
        EMAIL_LEASE_SECONDS=5,
        EMAIL_RECORD_RETRY_SECONDS=2,
        OUTBOX_BATCH_SIZE=10,
    )
    with app.app_context():
        yield app


@pytest.fixture(scope="session")
def own_postgres():
    """A PostgreSQL cluster of this run's own, to restart (never the machine's shared one)."""
    from tests.services import OwnPostgres

    cluster = OwnPostgres()
    cluster.start()
    yield cluster
    cluster.destroy()


@pytest.fixture
def own_redis():
    """A redis-server of this test's own, to kill and start again."""
    from tests.services import OwnRedis

    server = OwnRedis()
    server.start()
    yield server
    server.stop()
