"""The follow-up sequence leaves on time with a real worker, without waiting for the sweep."""

from __future__ import annotations

import time

import pytest

from leads.extensions import db
from leads.inquiries.service import InquiryData, submit_inquiry
from leads.models import EmailKind, EmailStatus, OutboundEmail
from tests.factories import make_article

pytestmark = pytest.mark.slow


def test_invitation_leaves_when_due_with_no_sweep(worker_app, smtp, start_worker):
    worker_app.config["QUESTIONNAIRE_DELAY_SECONDS"] = 3
    # As in production (300 s delay, 1800 s bound): the delay is within the retry bound, so
    # the broker may hold the message until it is due.
    worker_app.config["EMAIL_RETRY_MAX_SECONDS"] = 30
    worker = start_worker()
    article = make_article()
    db.session.commit()
    data = InquiryData(
        submission_id="timing-1",
        full_name="Ana Timing",
        email="ana.timing@example.com",
        consent_text="I agree.",
        consent_version="test",
    )
    posted = time.monotonic()
    submit_inquiry(article, data)

    # No sweep runs in this test: only the messages published after the commit can send these.
    try:
        confirmation, invitation = smtp.handler.wait_for(2, timeout=15)
    except AssertionError:
        raise AssertionError(worker.output()[-4000:]) from None
    arrived = time.monotonic() - posted
    assert "received your inquiry" in confirmation["Subject"]
    assert "/q/" in invitation.get_body(("plain",)).get_content()
    assert arrived >= 3, "the invitation left before its delay"
    # The server's 250 reaches the sink before the worker writes "sent": wait for the write.
    deadline = time.monotonic() + 10
    while True:
        db.session.rollback()
        statuses = dict(db.session.execute(db.select(OutboundEmail.kind, OutboundEmail.status)).all())
        if statuses[EmailKind.QUESTIONNAIRE] == EmailStatus.SENT or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert statuses[EmailKind.QUESTIONNAIRE] == EmailStatus.SENT
