"""The scheduler started twice by mistake (no email twice); the `.eml` outbox refusing writes
(rows stay pending with the reason, and every email arrives once writes work again)."""

from __future__ import annotations

import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from leads.config import PROJECT_ROOT
from leads.extensions import db
from leads.mail.delivery import eml_path
from leads.mail.outbox import publish
from leads.mail.sweep import sweep
from leads.models import EmailStatus, OutboundEmail
from tests.processes import CELERY, Worker
from tests.tasks.test_worker_faults import _inquiries, _statuses, _wait_until_sent

pytestmark = pytest.mark.slow


def _beat(env: dict, tmp_path: Path, name: str) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / f"{name}.log"
    schedule = tmp_path / f"{name}-schedule"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [CELERY, "-A", "app:celery_app", "beat", "--schedule", str(schedule), "--loglevel", "INFO"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return process, log


def test_two_schedulers_by_mistake_send_no_email_twice(worker_app, worker_env, smtp, start_worker, tmp_path):
    ids = [row.id for row in _inquiries(20)]
    smtp.handler.delay_seconds = 0.02  # long enough for the sweeps of both schedulers to overlap
    env = {**worker_env, "OUTBOX_SWEEP_SECONDS": "1"}
    beats = [_beat(env, tmp_path, "beat-a"), _beat(env, tmp_path, "beat-b")]
    try:
        worker = start_worker("w", concurrency=4)
        _wait_until_sent(ids, worker, timeout=60)  # nothing published here: only the sweeps send
        time.sleep(1.5)  # more sweeps from both, with nothing left to send
    finally:
        for process, _ in beats:
            process.kill()
            process.wait(timeout=10)
    for _, log in beats:
        assert "Sending due task sweep-outbox" in log.read_text(), log.read_text()[-2000:]
    counts = smtp.handler.message_ids()
    assert len(counts) == len(ids)
    assert set(counts.values()) == {1}


def test_an_unwritable_outbox_keeps_rows_pending_then_every_email_arrives(worker_app, worker_env, tmp_path):
    blocker = tmp_path / "disk"
    blocker.write_text("")  # a file where the outbox directory should be: every write fails
    outbox = blocker / "outbox"
    env = {**worker_env, "MAIL_SERVER": "", "MAIL_OUTBOX_DIR": str(outbox)}
    worker_app.config.update(MAIL_SERVER="", MAIL_OUTBOX_DIR=str(outbox))
    worker = Worker(env, tmp_path / "eml-worker.log", "eml", concurrency=2).wait_ready()
    try:
        ids = [row.id for row in _inquiries(5)]
        publish(ids)
        deadline = time.monotonic() + 30
        while True:
            db.session.rollback()
            rows = db.session.scalars(db.select(OutboundEmail).where(OutboundEmail.id.in_(ids))).all()
            if all(
                row.attempts >= 1 and row.status == EmailStatus.PENDING and row.last_error for row in rows
            ):
                break
            assert time.monotonic() < deadline, f"{_statuses(ids)}\n{worker.output()[-3000:]}"
            time.sleep(0.2)
        assert all(row.last_error.startswith(("NotADirectoryError", "FileExistsError")) for row in rows)

        blocker.unlink()  # writes work again
        _wait_until_sent(ids, worker, timeout=60, sweep_every=1.0)
    finally:
        worker.stop()
    assert Counter(eml_path(email_id).exists() for email_id in ids) == {True: len(ids)}
    assert sweep().due == 0
