"""Fixtures of the questionnaire and unsubscribe tests."""

from __future__ import annotations

import dataclasses
import time
from types import MappingProxyType

import pytest
from itsdangerous import TimestampSigner

from leads.extensions import db
from leads.mail.outbox import schedule_inquiry_followups
from leads.questionnaire import conditions
from leads.tokens import make_token
from tests.factories import make_article, make_inquiry, make_lead

COORDINATORS = "a@clinic.example,b@clinic.example"


@pytest.fixture
def alert_app(make_app):
    """CSRF off, coordinators from the setting (no accounts exist in these tests)."""
    app = make_app(env={"COORDINATOR_EMAILS": COORDINATORS}, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        yield app


@pytest.fixture
def published(monkeypatch) -> list[int]:
    """The email ids handed to the broker after the commit (the broker itself is tested with the outbox)."""
    calls: list[int] = []

    def record(ids):
        calls.extend(ids)
        return len(calls)

    monkeypatch.setattr("leads.questionnaire.service.publish", record)
    return calls


def make_scheduled_inquiry(**lead_fields):
    """An inquiry on the seed-like article, with its confirmation, invitation and reminders owed."""
    inquiry = make_inquiry(lead=make_lead(**lead_fields), article=make_article())
    schedule_inquiry_followups(inquiry)
    db.session.commit()
    return inquiry


def old_token(purpose: str, object_id: int, age_seconds: int) -> str:
    """A genuine token signed `age_seconds` ago (deterministic: the signer's clock is shifted)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - age_seconds)
        return make_token(purpose, object_id)


def answers(
    symptom_count: int = 5, red_flag: str | None = None, profile: str = conditions.STENOSIS, **overrides
) -> dict:
    """A complete, valid questionnaire POST body for `profile`'s questions."""
    data: dict = {}
    for index in range(symptom_count):
        present = index % 2 == 0
        # A ticked checkbox sends "y"; an unticked one sends nothing.
        data[f"symptom_{index}_present"] = "y" if present else None
        if present:
            data[f"symptom_{index}_severity"] = "8"
            data[f"symptom_{index}_duration"] = "gt_1y"
    definition = conditions.get(profile)
    data.update({question.key: "yes" for question in definition.pattern})
    data.update(
        {
            "treatments": ["physical_therapy", "injections"],
            "treatments_other": "",
            "imaging": ["mri"],
            "hopes": "Walk my dog again.",
        }
    )
    for flag in definition.red_flags:
        data[f"red_flag_{flag.key}"] = "yes" if flag.key == red_flag else "no"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def change_profile(monkeypatch, key: str, **changes) -> conditions.Profile:
    """Replace profile `key` in the registry for this test, as an edit of its YAML file would."""
    changed = dataclasses.replace(conditions.get(key), **changes)
    monkeypatch.setattr(conditions, "_registry", MappingProxyType({**conditions.profiles(), key: changed}))
    return changed
