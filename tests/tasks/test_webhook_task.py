"""Webhooks through a real worker: published after the commit, retried with backoff, each event once."""

from __future__ import annotations

import time

import pytest

from leads import task_names
from leads.dashboard.actions import change_status
from leads.extensions import db
from leads.models import LeadStatus, WebhookDelivery
from leads.webhooks import emit
from tests.factories import make_user
from tests.webhooks.helpers import endpoint, send_inquiry
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.slow


@pytest.fixture
def worker_env(worker_env):
    # The receiver is on loopback, which webhooks refuse by default (SSRF).
    return {**worker_env, "WEBHOOK_ALLOW_PRIVATE_NETWORK": "true"}


def test_each_event_arrives_once_and_a_failing_receiver_gets_it_on_the_third_try(worker_app, start_worker):
    receiver = Receiver()
    try:
        receiver.fail_first = 2
        endpoint(receiver, events=["inquiry.received", "lead.status_changed"])
        start_worker()
        lead = send_inquiry()  # the delivery is owed in this commit and published after it
        change_status(lead, LeadStatus.CONTACTED, make_user())
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(receiver.accepted()) < 2:
            time.sleep(0.2)
        time.sleep(3)  # room for a duplicate to show up, if there were one
        accepted = receiver.accepted()
        assert sorted(request["payload"]["type"] for request in accepted) == [
            "inquiry.received",
            "lead.status_changed",
        ]
        assert all(request["verified"] for request in receiver.received)
        # Two 500s, then the retries' success; one message id per event across its tries.
        assert [request["status"] for request in receiver.received].count(500) == 2
        assert len({request["id"] for request in receiver.received}) == 2
        db.session.expire_all()
        rows = db.session.scalars(db.select(WebhookDelivery)).all()
        assert {row.status for row in rows} == {"sent"}
        assert sum(row.attempts for row in rows) == 4
    finally:
        receiver.stop()


def test_beats_sweep_delivers_a_webhook_whose_publish_was_lost(worker_app, start_worker, monkeypatch):
    # The worker runs with the default settings: its sweep once died on a missing one.
    receiver = Receiver()
    try:
        endpoint(receiver)
        with monkeypatch.context() as patch:
            patch.setattr(emit, "publish", lambda delivery_ids: 0)  # the broker was away
            send_inquiry()
        start_worker()
        worker_app.extensions["celery"].send_task(task_names.SWEEP_WEBHOOKS)  # what beat sends
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not receiver.accepted():
            time.sleep(0.2)
        [request] = receiver.accepted()
        assert request["verified"] and request["payload"]["type"] == "inquiry.received"
    finally:
        receiver.stop()
