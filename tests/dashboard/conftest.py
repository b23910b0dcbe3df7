"""Fixtures for the dashboard tests: users, a logged-in client, and builders for a lead's history."""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest

from leads.extensions import db
from leads.models import EmailStatus, LeadEvent, OutboundEmail, QuestionnaireResponse
from leads.models.base import utcnow
from tests.factories import make_user
from tests.helpers import log_in

_keys = itertools.count(1)


@pytest.fixture
def coordinator(app):
    user = make_user(role="coordinator", full_name="Cora Coordinator")
    db.session.commit()
    return user


@pytest.fixture
def admin(app):
    user = make_user(role="admin", full_name="Ada Admin")
    db.session.commit()
    return user


@pytest.fixture
def coord_client(app, coordinator):
    client = app.test_client()
    log_in(client, coordinator)
    return client


@pytest.fixture
def admin_client(app, admin):
    client = app.test_client()
    log_in(client, admin)
    return client


def make_response(
    inquiry, score: int = 50, red_flags: list[str] | None = None, **fields
) -> QuestionnaireResponse:
    answers = fields.pop(
        "answers",
        {
            "symptoms": [{"label": "Lower back pain", "present": True, "severity": 7, "duration": "gt_1y"}],
            "hopes": "Walk my dog again",
            "snapshot": [
                {
                    "title": "Lower back pain",
                    "rows": [{"question": "How bad is it?", "answer": "7 / 10"}],
                },
                {
                    "title": "Hopes",
                    "rows": [
                        {"question": "What do you hope?", "answer": "Walk my dog again", "key": "hopes"}
                    ],
                },
            ],
        },
    )
    response = QuestionnaireResponse(
        inquiry_id=inquiry.id,
        lead_id=inquiry.lead_id,
        questionnaire_version="test-v1",
        answers=answers,
        red_flags=red_flags or [],
        score=score,
        **fields,
    )
    db.session.add(response)
    db.session.flush()
    return response


def make_email(lead, kind: str = "confirmation", status: str = EmailStatus.SENT, **fields) -> OutboundEmail:
    values = {
        "lead_id": lead.id,
        "kind": kind,
        "status": status,
        "idempotency_key": f"test-email-{next(_keys)}",
        "due_at": utcnow(),
    }
    if status == EmailStatus.SENT:
        values["sent_at"] = utcnow()
    values.update(fields)
    email = OutboundEmail(**values)
    db.session.add(email)
    db.session.flush()
    return email


def make_event(lead, kind: str = "note", actor=None, at: datetime | None = None, **data) -> LeadEvent:
    event = LeadEvent(lead_id=lead.id, kind=kind, actor_id=actor.id if actor else None, data=data)
    if at is not None:
        event.created_at = at
    db.session.add(event)
    db.session.flush()
    return event
