"""Supervision: a worker that dies or stops consuming is restarted (scripts/supervise.py), and
the health check reads the heartbeat the worker writes while it consumes (tasks/liveness.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from leads.config import PROJECT_ROOT
from leads.extensions import db
from leads.mail.outbox import publish, schedule_inquiry_followups
from leads.models import EmailStatus, OutboundEmail
from tests.factories import make_inquiry
from tests.processes import CELERY

pytestmark = pytest.mark.slow

SUPERVISE = str(PROJECT_ROOT / "scripts" / "supervise.py")
HEALTHCHECK = str(PROJECT_ROOT / "scripts" / "healthcheck.py")


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()]


def _wait(condition, timeout: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log else ""
    raise AssertionError(f"timed out waiting for {what}\n{tail}")


def _supervise(env: dict, log: Path, *command: str) -> subprocess.Popen:
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, SUPERVISE, "--heartbeat", "--", *command],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _fresh(path: Path, within: float = 10.0) -> bool:
    return path.exists() and time.time() - path.stat().st_mtime < within


def test_a_killed_worker_is_restarted_and_sends_what_was_owed(worker_app, worker_env, smtp, tmp_path):
    heartbeat = tmp_path / "worker.heartbeat"
    env = {**worker_env, "WORKER_HEARTBEAT_FILE": str(heartbeat), "WORKER_HEARTBEAT_STALE_SECONDS": "120"}
    log = tmp_path / "supervised.log"
    worker = [CELERY, "-A", "app:celery_app", "worker", "--pool", "threads", "--concurrency", "2"]
    supervisor = _supervise(env, log, *worker, "--without-gossip", "--without-mingle", "-n", "sup@%h")
    try:
        first = _wait(lambda: _children(supervisor.pid), 20, "the worker to start", log)[0]
        _wait(lambda: _fresh(heartbeat), 30, "the first heartbeat", log)
        os.kill(first, signal.SIGKILL)
        heartbeat.unlink()
        second = _wait(
            lambda: [pid for pid in _children(supervisor.pid) if pid != first], 20, "a restart", log
        )
        assert second
        _wait(lambda: heartbeat.exists(), 30, "the new worker's heartbeat", log)
        assert "exited with -9" in log.read_text()

        rows = schedule_inquiry_followups(make_inquiry())
        db.session.commit()
        publish([rows[0].id])

        def sent():
            db.session.rollback()
            return db.session.get(OutboundEmail, rows[0].id).status == EmailStatus.SENT

        _wait(sent, 30, "the confirmation to be sent", log)
        assert len(smtp.handler.messages) == 1
    finally:
        _stop(supervisor)
    assert supervisor.returncode is not None


def test_a_process_whose_heartbeat_goes_stale_is_restarted(base_env, tmp_path):
    heartbeat = tmp_path / "never-written.heartbeat"
    env = {
        **os.environ,
        **base_env,
        "WORKER_HEARTBEAT_FILE": str(heartbeat),
        "WORKER_HEARTBEAT_STALE_SECONDS": "1",
    }
    log = tmp_path / "supervised.log"
    supervisor = _supervise(env, log, sys.executable, "-c", "import time; time.sleep(60)")
    try:
        _wait(lambda: log.read_text().count("no heartbeat") >= 2, 20, "two restarts", log)
    finally:
        _stop(supervisor)


def test_the_worker_health_check_reads_the_heartbeat(base_env, tmp_path):
    heartbeat = tmp_path / "worker.heartbeat"
    env = {**os.environ, **base_env, "WORKER_HEARTBEAT_FILE": str(heartbeat)}

    def check() -> int:
        return subprocess.run([sys.executable, HEALTHCHECK, "worker"], env=env, check=False).returncode

    assert check() == 1  # no heartbeat yet
    heartbeat.touch()
    assert check() == 0
    old = time.time() - 120
    os.utime(heartbeat, (old, old))
    assert check() == 1
