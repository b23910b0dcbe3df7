"""submit_inquiry called directly: idempotency, the races it survives, the lead it picks."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from leads.extensions import db
from leads.inquiries import service
from leads.inquiries.service import InquiryData, submit_inquiry
from leads.mail.render import render_email
from leads.models import EmailKind, Inquiry, Lead, OutboundEmail
from leads.models.base import utcnow
from tests.factories import make_article, make_lead, make_user
from tests.inquiries.conftest import NOTHING, counts


def _data(**changes) -> InquiryData:
    values = {
        "submission_id": uuid.uuid4().hex,
        "full_name": "Ana Silva",
        "email": "ana@example.com",
        "consent_text": "I agree.",
        "consent_version": "v1",
        "symptoms": ["Balance issues"],
    }
    values.update(changes)
    return InquiryData(**values)


def test_same_submission_id_returns_the_stored_inquiry(app):
    article = make_article()
    data = _data()

    first = submit_inquiry(article, data)
    second = submit_inquiry(article, data)

    assert first.created and first.new_lead and not second.created
    assert (second.inquiry_id, second.lead_id) == (first.inquiry_id, first.lead_id)
    assert counts()["Inquiry"] == 1


def _commit_elsewhere(article_id: int, submission_id: str) -> int:
    """Another request storing this submission id, on its own connection, committed now."""
    with Session(db.engine) as other:
        lead = Lead(full_name="Ana Silva", email="winner@example.com")
        other.add(lead)
        other.flush()
        inquiry = Inquiry(
            lead_id=lead.id,
            article_id=article_id,
            submission_id=submission_id,
            consent_text="I agree.",
            consent_version="v1",
        )
        other.add(inquiry)
        other.commit()
        return inquiry.id


def test_losing_the_submission_id_race_returns_the_winner(app, monkeypatch):
    article = make_article()
    db.session.commit()
    sid = "a" * 32
    real = service._lookup
    winner: list[int] = []

    def lookup(submission_id: str, email: str):
        found = real(submission_id, email)
        if not winner:
            # Both requests passed the first lookup; the other one commits before this one inserts.
            assert found[0] is None
            winner.append(_commit_elsewhere(article.id, submission_id))
        return found

    monkeypatch.setattr(service, "_lookup", lookup)

    result = submit_inquiry(article, _data(submission_id=sid, email="someone@example.com"))

    # This request's insert hit the unique key, rolled back, and found the winner on the second lookup.
    assert winner and not result.created and result.inquiry_id == winner[0]
    assert counts() == {**NOTHING, "Lead": 1, "Inquiry": 1}


def test_losing_the_new_lead_race_retries_and_attaches_to_the_winner(app, monkeypatch):
    article = make_article()
    winner = make_lead(email="ana@example.com")
    db.session.commit()
    # The first lookup ran before the other request's new lead was committed.
    real = service._lookup
    calls: list[str] = []

    def lookup(submission_id: str, email: str):
        existing, lead = real(submission_id, email)
        calls.append(email)
        return (existing, None) if len(calls) == 1 else (existing, lead)

    monkeypatch.setattr(service, "_lookup", lookup)

    result = submit_inquiry(article, _data())

    assert result.created and not result.new_lead and result.lead_id == winner.id
    assert len(calls) == 2  # the first attempt's new lead hit the unique address and was retried
    assert counts() == {**NOTHING, "Lead": 1, "Inquiry": 1, "OutboundEmail": 4}


def test_inquiry_from_a_merged_address_goes_to_the_surviving_lead(app):
    article = make_article()
    survivor = make_lead()
    make_lead(email="ana@example.com", merged_into_id=survivor.id)
    db.session.commit()

    result = submit_inquiry(article, _data())

    assert result.lead_id == survivor.id
    assert db.session.get(Inquiry, result.inquiry_id).lead_id == survivor.id


def test_returning_lead_keeps_its_phone_when_none_is_given(app):
    lead = make_lead(email="ana@example.com", phone="+15075550123")
    db.session.commit()

    submit_inquiry(make_article(), _data(phone=None, preferred_contact="email"))

    db.session.expire_all()
    assert db.session.get(Lead, lead.id).phone == "+15075550123"


def test_new_lead_is_auto_assigned_when_round_robin_is_on(app):
    app.config["ROUND_ROBIN_ASSIGNMENT"] = True
    coordinator = make_user()
    db.session.commit()

    result = submit_inquiry(make_article(), _data())

    assert db.session.get(Lead, result.lead_id).assignee_id == coordinator.id


def test_a_later_inquiry_leaves_the_lead_s_details_and_stays_on_the_inquiry(app):
    article = make_article()
    first = submit_inquiry(article, _data(phone="+15075550123", preferred_contact="email"))

    later = submit_inquiry(
        article,
        _data(
            full_name="Mallory Attacker", phone="+15075550199", preferred_contact="phone", message="Call me"
        ),
    )

    db.session.expire_all()
    lead = db.session.get(Lead, first.lead_id)
    assert (lead.full_name, lead.phone, lead.preferred_contact) == ("Ana Silva", "+15075550123", "email")
    inquiry = db.session.get(Inquiry, later.inquiry_id)
    assert (inquiry.full_name, inquiry.phone, inquiry.preferred_contact) == (
        "Mallory Attacker",
        "+15075550199",
        "phone",
    )


def test_emails_to_a_known_lead_greet_it_with_its_stored_name(app):
    article = make_article()
    submit_inquiry(article, _data())
    later = submit_inquiry(article, _data(full_name="Mallory Attacker", message="Another question"))
    confirmation = db.session.scalars(
        db.select(OutboundEmail).where(
            OutboundEmail.inquiry_id == later.inquiry_id, OutboundEmail.kind == EmailKind.CONFIRMATION
        )
    ).one()

    rendered = render_email(confirmation, "ana@example.com")

    assert rendered.to_name == "Ana Silva" and rendered.text.startswith("Hello Ana,")
    assert "Mallory" not in rendered.text + rendered.html + rendered.subject


def test_a_spoofed_inquiry_does_not_change_the_contact_the_confirmation_promises(app):
    """Someone posts the patient's address asking for a phone call: the patient still prefers email."""
    article = make_article()
    submit_inquiry(article, _data())
    later = submit_inquiry(article, _data(phone="+15075550199", preferred_contact="phone", message="Call me"))
    assert db.session.get(Lead, later.lead_id).preferred_contact == "email"
    confirmation = db.session.scalars(
        db.select(OutboundEmail).where(
            OutboundEmail.inquiry_id == later.inquiry_id, OutboundEmail.kind == EmailKind.CONFIRMATION
        )
    ).one()

    rendered = render_email(confirmation, "ana@example.com")

    for body in (rendered.text, rendered.html):
        assert "by email" in " ".join(body.split()) and "by phone" not in body


def test_the_same_content_after_the_repeat_window_is_a_new_inquiry(app):
    app.config["REPEAT_WINDOW_MINUTES"] = 30
    article = make_article()
    now = utcnow()
    first = submit_inquiry(article, _data(), now=now - timedelta(minutes=31))

    again = submit_inquiry(article, _data(), now=now)

    assert again.created and again.inquiry_id != first.inquiry_id and again.repeat_of is None


def test_the_same_content_within_the_window_is_a_repeat_of_the_first(app):
    app.config["REPEAT_WINDOW_MINUTES"] = 30
    article = make_article()
    now = utcnow()
    first = submit_inquiry(article, _data(symptoms=["Balance issues", "Lower back pain"]), now=now)

    again = submit_inquiry(
        article, _data(symptoms=["Lower back pain", "Balance issues"]), now=now + timedelta(minutes=29)
    )

    assert not again.created and again.repeat_of == first.inquiry_id
    assert counts() == {**NOTHING, "Lead": 1, "Inquiry": 1, "OutboundEmail": 4}
