"""A booked consultation's reminder leaves once, at CONSULTATION_REMINDER_HOURS before, sent by a real worker."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from leads.consultations import booking
from leads.extensions import db
from leads.models import EmailKind, EmailStatus, OutboundEmail
from leads.models.base import utcnow
from tests.factories import make_lead, make_user

pytestmark = pytest.mark.slow


def test_the_reminder_is_sent_once_when_due_by_a_real_worker(worker_app, smtp, start_worker):
    hours = worker_app.config["CONSULTATION_REMINDER_HOURS"]
    # As in production: the reminder is due within the retry bound, so the broker holds it until then.
    worker_app.config["EMAIL_RETRY_MAX_SECONDS"] = 30
    worker = start_worker()
    user, lead = make_user(), make_lead()
    db.session.commit()
    booked = utcnow()
    booking.book(lead, booked + timedelta(hours=hours, seconds=4), 30, "clinic", user.id, user)

    # No sweep runs in this test: only the messages published after the commit can send these.
    try:
        invitation, reminder = smtp.handler.wait_for(2, timeout=30)
    except AssertionError:
        raise AssertionError(worker.output()[-4000:]) from None
    assert "Your consultation" in invitation["Subject"]
    assert "Reminder: your consultation" in reminder["Subject"]
    # The server's 250 reaches the sink before the worker writes "sent": wait for the write.
    deadline = time.monotonic() + 10
    while True:
        db.session.rollback()
        row = db.session.scalars(
            db.select(OutboundEmail).where(OutboundEmail.kind == EmailKind.CONSULTATION_REMINDER)
        ).one()
        if row.status == EmailStatus.SENT or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert row.status == EmailStatus.SENT and row.sent_at >= row.due_at
    assert row.due_at == booked + timedelta(seconds=4)
    # Once: nothing else arrives.
    time.sleep(3)
    assert len(smtp.handler.messages) == 2
