"""Fixtures for the inquiry tests: an article, a valid form, counts of what got stored."""

from __future__ import annotations

import re
import time

import pytest

from leads.extensions import db
from leads.models import Inquiry, Lead, OutboundEmail, SpamSubmission
from tests.factories import SEED_SYMPTOMS, make_article

SUBMISSION_ID = re.compile(r'name="submission_id" type="hidden" value="([0-9a-f]{32})"')


@pytest.fixture
def article(app):
    article = make_article()
    db.session.commit()
    return article


@pytest.fixture
def page_url(article) -> str:
    return f"/{article.slug}/"


def valid_form(**changes) -> dict:
    """A complete, valid submission; `changes` replace or add fields (None removes one)."""
    data = {
        "full_name": "Ana Silva",
        "email": "ana.silva@example.com",
        "phone": "+1 507 555 0123",
        "preferred_contact": "email",
        "symptoms": [SEED_SYMPTOMS[0], SEED_SYMPTOMS[3]],
        "message": "I have had back pain for two years.",
        "consent": "y",
        "website": "",
        "submission_id": "0" * 31 + "1",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def post_with_dead_broker(make_app, env: dict | None = None):
    """Post a valid inquiry to an app whose broker cannot be reached.

    Returns the app, the response and how long the request took, in seconds.
    """
    app = make_app(
        env={**(env or {}), "CELERY_BROKER_URL": "redis://127.0.0.1:1/0"},
        WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=False,
    )
    with app.app_context():
        article = make_article()
        db.session.commit()
        started = time.monotonic()
        response = app.test_client().post(f"/{article.slug}/", data=valid_form())
        elapsed = time.monotonic() - started
        db.session.remove()
    return app, response, elapsed


def counts() -> dict[str, int]:
    """How many rows of each kind exist now (fresh from the database)."""
    db.session.expire_all()
    return {
        model.__name__: db.session.scalar(db.select(db.func.count()).select_from(model))
        for model in (Lead, Inquiry, OutboundEmail, SpamSubmission)
    }


NOTHING = {"Lead": 0, "Inquiry": 0, "OutboundEmail": 0, "SpamSubmission": 0}
