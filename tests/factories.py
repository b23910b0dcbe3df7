"""Builders for test rows. Each adds to the session and flushes; the caller commits when it must."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from leads.extensions import db
from leads.models import Article, Inquiry, Lead, User
from leads.models.base import utcnow

SEED_PATH = Path(__file__).resolve().parent.parent / "seed" / "stem-cell-spinal-stenosis.wp.json"
SEED_SYMPTOMS = [
    "Lower back pain",
    "Leg pain or cramping",
    "Numbness or weakness in the legs or arms",
    "Balance issues",
    "Difficulty walking",
]
_counter = itertools.count(1)


def seed_payload() -> dict:
    return json.loads(SEED_PATH.read_text())


def make_article(**fields) -> Article:
    n = next(_counter)
    values = {
        "wp_id": 100000 + n,
        "slug": f"test-article-{n}",
        "title": f"Test treatment {n}",
        "excerpt": "An article for tests.",
        "html": "<h2 id='intro'>Intro</h2><p>Body.</p>",
        "toc": [{"id": "intro", "title": "Intro", "level": 2}],
        "symptoms": list(SEED_SYMPTOMS),
        "found_symptoms": list(SEED_SYMPTOMS),
        # Seed-like: its WordPress category is mapped to the spinal stenosis profile.
        "wp_profile": "spinal_stenosis",
        "faqs": [{"question": "Is it safe?", "answer": "Usually."}],
        "source_url": f"https://clinic.example/test-article-{n}/",
    }
    values.update(fields)
    article = Article(**values)
    db.session.add(article)
    db.session.flush()
    return article


def make_lead(**fields) -> Lead:
    n = next(_counter)
    values = {"full_name": f"Patient {n}", "email": f"patient{n}@example.com", "last_inquiry_at": utcnow()}
    values.update(fields)
    lead = Lead(**values)
    db.session.add(lead)
    db.session.flush()
    return lead


def make_inquiry(lead: Lead | None = None, article: Article | None = None, **fields) -> Inquiry:
    n = next(_counter)
    lead = lead or make_lead()
    article = article or make_article()
    values = {
        "lead_id": lead.id,
        "article_id": article.id,
        "submission_id": f"test-submission-{n}",
        "symptoms": ["Lower back pain"],
        "consent_text": "I agree.",
        "consent_version": "test",
    }
    values.update(fields)
    inquiry = Inquiry(**values)
    db.session.add(inquiry)
    db.session.flush()
    return inquiry


def make_user(password_hash: str = "not-a-real-hash", **fields) -> User:
    n = next(_counter)
    values = {
        "email": f"coordinator{n}@clinic.example",
        "full_name": f"Coordinator {n}",
        "password_hash": password_hash,
    }
    values.update(fields)
    user = User(**values)
    db.session.add(user)
    db.session.flush()
    return user
