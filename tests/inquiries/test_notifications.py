"""New-lead notifications: to the assignee or the coordinators on duty, with only the lead's id, the
treatment and a link, at most one per lead per NOTIFY_BATCH_MINUTES."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from leads.extensions import db
from leads.inquiries.service import InquiryData, submit_inquiry
from leads.mail.delivery import open_transport
from leads.mail.send import deliver
from leads.models import EmailKind, EmailStatus, OutboundEmail
from leads.models.base import utcnow
from tests.factories import make_article, make_user

_ids = itertools.count(1)


@pytest.fixture
def notify_app(make_app, smtp):
    app = make_app(
        env={**smtp.env, "NOTIFY_BATCH_MINUTES": "15"}, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False
    )
    with app.app_context():
        yield app


def _submit(article, email="grace@example.com", now=None, message="My knee hurts when I climb stairs"):
    data = InquiryData(
        submission_id=f"notify-{next(_ids)}",
        full_name="Grace Hopper",
        email=email,
        consent_text="I agree.",
        consent_version="test",
        symptoms=["Lower back pain"],
        message=message,
    )
    return submit_inquiry(article, data, now=now)


def _notices() -> list[OutboundEmail]:
    return list(
        db.session.scalars(
            db.select(OutboundEmail)
            .where(OutboundEmail.kind == EmailKind.LEAD_NOTICE)
            .order_by(OutboundEmail.id)
        )
    )


def test_an_unassigned_lead_notifies_the_coordinators_on_duty_with_no_personal_details(notify_app, smtp):
    make_user(email="cora@clinic.example", role="coordinator")
    make_user(email="dan@clinic.example", role="coordinator")
    make_user(email="ada@clinic.example", role="admin")
    make_user(email="gone@clinic.example", role="coordinator", active=False)
    article = make_article(title="Knee therapy")
    db.session.commit()
    result = _submit(article)
    notices = _notices()
    assert sorted(notice.recipient for notice in notices) == ["cora@clinic.example", "dan@clinic.example"]
    with open_transport() as transport:
        for notice in notices:
            assert deliver(notice.id, transport).status == EmailStatus.SENT
    for message in smtp.handler.wait_for(2):
        assert " ".join(message["Subject"].split()) == f"New inquiry: lead #{result.lead_id}"
        text = message.get_body(("plain",)).get_content()
        assert "Knee therapy" in text and f"http://clinic.test/dashboard/leads/{result.lead_id}" in text
        for secret in ("Grace", "Hopper", "grace@example.com", "back pain", "knee hurts"):
            assert secret.lower() not in message.as_string().lower()


def test_an_assigned_lead_notifies_only_the_assignee(make_app, smtp):
    app = make_app(env=smtp.env, ROUND_ROBIN_ASSIGNMENT=True)
    with app.app_context():
        make_user(email="cora@clinic.example", role="coordinator")
        article = make_article()
        db.session.commit()
        make_user(email="dan@clinic.example", role="coordinator", last_assigned_at=utcnow())
        db.session.commit()
        _submit(article)
        assert [notice.recipient for notice in _notices()] == ["cora@clinic.example"]


def test_at_most_one_notification_per_lead_per_batch_window(notify_app):
    make_user(email="cora@clinic.example", role="coordinator")
    article, other = make_article(), make_article()
    db.session.commit()
    now = utcnow()
    _submit(article, now=now)
    _submit(other, now=now + timedelta(minutes=5), message="A second question")
    assert len(_notices()) == 1
    # Someone else's inquiry is not held back by it.
    _submit(article, email="tom@example.com", now=now + timedelta(minutes=6))
    assert len(_notices()) == 2
    # Once the window has passed, the same lead notifies again.
    later = now + timedelta(minutes=16)
    _submit(other, now=later, message="A third question, later")
    assert len(_notices()) == 3
