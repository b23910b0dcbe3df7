"""The scheduled retention task, run by a real worker from the broker as beat would publish it."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from flask import current_app

from leads.extensions import db
from leads.models import Lead
from leads.task_names import APPLY_RETENTION
from tasks import beat_schedule
from tests.factories import make_lead


def test_beat_runs_retention_daily(app):
    entry = beat_schedule(app.config)["retention"]
    assert entry["task"] == APPLY_RETENTION


def test_worker_erases_the_leads_past_the_window(worker_app, start_worker):
    old = make_lead(
        last_inquiry_at=datetime(2020, 1, 1, tzinfo=UTC), created_at=datetime(2020, 1, 1, tzinfo=UTC)
    )
    recent = make_lead()
    db.session.commit()
    start_worker()

    current_app.extensions["celery"].send_task(APPLY_RETENTION)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        db.session.expire_all()
        if db.session.get(Lead, old.id).erased_at is not None:
            break
        time.sleep(0.2)
    assert db.session.get(Lead, old.id).erased_at is not None
    assert db.session.get(Lead, recent.id).erased_at is None
