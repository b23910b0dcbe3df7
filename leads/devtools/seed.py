"""Bulk-load realistic fake leads, each with one inquiry, to try the dashboard at scale.

PostgreSQL takes them through COPY (a million in about a minute); SQLite through executemany.
The database's own triggers keep the inbox's per-status counts, so they are exact afterwards.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta

import sqlalchemy as sa

from leads.extensions import db
from leads.models import Article, Inquiry, Lead, LeadStatus
from leads.models.base import utcnow

FIRST = ["Ana", "Ben", "Chloé", "David", "Elif", "Farah", "Giorgio", "Hana", "Ivan", "Julia", "Karim", "Lena"]
# 400 surnames, so that one surname is a quarter of a percent of the leads, as in a real list.
LAST = [
    head + tail
    for head in ("Al", "Ben", "Cor", "Dal", "Es", "Fer", "Gal", "Har", "Ib", "Jor",
                 "Kal", "Lor", "Mar", "Nor", "Os", "Per", "Ros", "Sal", "Tor", "Val")
    for tail in ("ani", "berg", "cott", "dez", "ello", "field", "gren", "haddad", "ico", "jensen",
                 "kova", "lund", "mann", "nez", "ova", "quist", "rossi", "sen", "ton", "wood")
]  # fmt: skip
SOURCES = [None, None, "google", "newsletter", "facebook"]
LEAD_COLUMNS = (
    "id", "full_name", "email", "phone", "status", "is_urgent", "score", "preferred_contact",
    "last_inquiry_at", "created_at", "updated_at",
)  # fmt: skip
INQUIRY_COLUMNS = (
    "lead_id", "article_id", "submission_id", "symptoms", "message", "preferred_contact",
    "consent_text", "consent_version", "consented_at", "utm_source", "created_at",
)  # fmt: skip
BATCH = 10_000
COPY_BATCH = 50_000


def _article() -> Article:
    article = db.session.scalar(sa.select(Article).order_by(Article.id).limit(1))
    if article is None:
        article = Article(wp_id=1, slug="seeded", title="Seeded article", html="<p>x</p>", symptoms=[])
        db.session.add(article)
        db.session.flush()
    return article


def _rows(first_id: int, total: int, article: Article, now: datetime) -> Iterator[tuple[dict, dict]]:
    rng = random.Random(first_id)  # noqa: S311 (fake data, repeatable)
    statuses = [status.value for status in LeadStatus]
    symptoms = list(article.symptoms or [])[:2]
    for lead_id in range(first_id, first_id + total):
        when = now - timedelta(minutes=rng.randrange(525_600))
        first, last = rng.choice(FIRST), rng.choice(LAST)
        lead = {
            "id": lead_id,
            "full_name": f"{first} {last}",
            "email": f"{first.lower()}.{lead_id}@example.com",
            "phone": f"+4477009{lead_id % 100_000:05d}",
            "status": rng.choice(statuses),
            "is_urgent": rng.random() < 0.02,
            "score": rng.randrange(101),
            "preferred_contact": "email",
            "last_inquiry_at": when,
            "created_at": when,
            "updated_at": when,
        }
        inquiry = {
            "lead_id": lead_id,
            "article_id": article.id,
            "submission_id": f"seed-{lead_id}",
            "symptoms": symptoms,
            "message": "",
            "preferred_contact": "email",
            "consent_text": "I agree to be contacted about my inquiry.",
            "consent_version": "seed",
            "consented_at": when,
            "utm_source": rng.choice(SOURCES),
            "created_at": when,
        }
        yield lead, inquiry


def _copy(rows: Iterator[tuple[dict, dict]]) -> None:
    """COPY both tables, a batch at a time (leads first: the inquiries' foreign key), so memory
    stays flat whatever N."""
    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cursor:
        for batch in _batches(rows, COPY_BATCH):
            with cursor.copy(f"COPY leads ({', '.join(LEAD_COLUMNS)}) FROM STDIN") as copy:
                for lead, _inquiry in batch:
                    copy.write_row([lead[name] for name in LEAD_COLUMNS])
            with cursor.copy(f"COPY inquiries ({', '.join(INQUIRY_COLUMNS)}) FROM STDIN") as copy:
                for _lead, inquiry in batch:
                    inquiry["symptoms"] = json.dumps(inquiry["symptoms"])
                    copy.write_row([inquiry[name] for name in INQUIRY_COLUMNS])
        # The ids were given explicitly: move the sequence past them.
        cursor.execute("SELECT setval(pg_get_serial_sequence('leads', 'id'), (SELECT max(id) FROM leads))")


def _batches(rows: Iterator[tuple[dict, dict]], size: int) -> Iterator[list[tuple[dict, dict]]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(rows: Iterator[tuple[dict, dict]]) -> None:
    leads, inquiries = [], []
    for lead, inquiry in rows:
        leads.append(lead)
        inquiries.append(inquiry)
        if len(leads) == BATCH:
            db.session.execute(sa.insert(Lead), leads)
            db.session.execute(sa.insert(Inquiry), inquiries)
            leads, inquiries = [], []
    if leads:
        db.session.execute(sa.insert(Lead), leads)
        db.session.execute(sa.insert(Inquiry), inquiries)


def seed_leads(total: int) -> int:
    """Add `total` leads after the existing ones, in one transaction; returns the first new id."""
    article = _article()
    first_id = (db.session.scalar(sa.select(sa.func.max(Lead.id))) or 0) + 1
    rows = _rows(first_id, total, article, utcnow())
    if db.session.get_bind().dialect.name == "postgresql":
        _copy(rows)
    else:
        _insert(rows)
    db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE leads"))
        db.session.execute(sa.text("ANALYZE inquiries"))
        db.session.commit()
    return first_id
