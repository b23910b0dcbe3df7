"""submit_inquiry called directly: idempotency, the races it survives, the lead it picks."""

from __future__ import annotations

import uuid

from leads.extensions import db
from leads.inquiries import service
from leads.inquiries.service import InquiryData, submit_inquiry
from leads.models import Inquiry, Lead
from tests.factories import make_article, make_inquiry, make_lead, make_user
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


def test_losing_the_submission_id_race_returns_the_winner(app, monkeypatch):
    article = make_article()
    winner = make_inquiry(article=article, submission_id="a" * 32)
    db.session.commit()
    # Both requests passed the first lookup before either committed.
    real = service._existing
    calls = iter([None])
    monkeypatch.setattr(service, "_existing", lambda sid: next(calls, None) or real(sid))

    result = submit_inquiry(article, _data(submission_id="a" * 32, email="someone@example.com"))

    assert not result.created and result.inquiry_id == winner.id
    assert counts() == {**NOTHING, "Lead": 1, "Inquiry": 1}


def test_losing_the_new_lead_race_retries_and_attaches_to_the_winner(app, monkeypatch):
    article = make_article()
    winner = make_lead(email="ana@example.com")
    db.session.commit()
    # The first lookup ran before the other request's new lead was committed.
    real = service._find_lead
    calls = iter([None])
    monkeypatch.setattr(service, "_find_lead", lambda email: next(calls, "real") and real(email))

    result = submit_inquiry(article, _data())

    assert result.created and not result.new_lead and result.lead_id == winner.id
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
