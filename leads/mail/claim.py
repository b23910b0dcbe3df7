"""Claiming outbox rows: one conditional UPDATE, so two workers never send the same row.

Each function runs its own short transaction and commits: a claim must be visible
to every other worker before any SMTP traffic starts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from leads.extensions import db
from leads.models import EmailStatus, OutboundEmail
from leads.models.base import utcnow


def lease_until(now: datetime) -> datetime:
    return now + timedelta(seconds=current_app.config["EMAIL_LEASE_SECONDS"])


def _claim_values(now: datetime) -> dict:
    return {
        "status": EmailStatus.SENDING,
        "claimed_at": now,
        "lease_expires_at": lease_until(now),
        "attempts": OutboundEmail.attempts + 1,
    }


def claim(email_id: int, now: datetime | None = None) -> bool:
    """Take row `email_id` if it is pending and due; True means this worker owns it."""
    now = now or utcnow()
    result = db.session.execute(
        db.update(OutboundEmail)
        .where(
            OutboundEmail.id == email_id,
            OutboundEmail.status == EmailStatus.PENDING,
            OutboundEmail.due_at <= now,
        )
        .values(**_claim_values(now)),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    return result.rowcount == 1


def claim_next(now: datetime | None = None) -> int | None:
    """Take the oldest due pending row, or None when nothing is due.

    PostgreSQL skips rows another worker has locked; SQLite runs one writer at a time,
    and the outer `status = 'pending'` keeps the statement safe on both.
    """
    now = now or utcnow()
    candidate = (
        db.select(OutboundEmail.id)
        .where(OutboundEmail.status == EmailStatus.PENDING, OutboundEmail.due_at <= now)
        .order_by(OutboundEmail.due_at, OutboundEmail.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    email_id = db.session.scalar(
        db.update(OutboundEmail)
        .where(OutboundEmail.id == candidate, OutboundEmail.status == EmailStatus.PENDING)
        .values(**_claim_values(now))
        .returning(OutboundEmail.id),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    return email_id


def renew_lease(email_id: int, now: datetime | None = None) -> bool:
    """Extend this worker's hold on a `sending` row; False when the sweep has taken it back.

    Part of the caller's transaction (the re-check before each SMTP transaction commits it).
    """
    now = now or utcnow()
    result = db.session.execute(
        db.update(OutboundEmail)
        .where(OutboundEmail.id == email_id, OutboundEmail.status == EmailStatus.SENDING)
        .values(lease_expires_at=lease_until(now)),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount == 1


def release_stuck(now: datetime | None = None) -> int:
    """Rows whose lease ran out (a dead worker's) go back to pending, or fail when out of attempts."""
    now = now or utcnow()
    # A `sending` row without a lease (written by hand, say) would otherwise wait forever.
    stuck = (
        OutboundEmail.status == EmailStatus.SENDING,
        db.or_(OutboundEmail.lease_expires_at.is_(None), OutboundEmail.lease_expires_at < now),
    )
    retried = db.session.execute(
        db.update(OutboundEmail)
        .where(*stuck, OutboundEmail.attempts < current_app.config["EMAIL_MAX_ATTEMPTS"])
        .values(
            status=EmailStatus.PENDING,
            due_at=now,
            lease_expires_at=None,
            last_error="worker lost while sending",
        ),
        execution_options={"synchronize_session": False},
    )
    failed = db.session.execute(
        db.update(OutboundEmail)
        .where(*stuck)
        .values(
            status=EmailStatus.FAILED,
            lease_expires_at=None,
            last_error="worker lost while sending; no attempts left",
        ),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    return (retried.rowcount or 0) + (failed.rowcount or 0)


def count_due(now: datetime | None = None) -> int:
    now = now or utcnow()
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(OutboundEmail)
        .where(OutboundEmail.status == EmailStatus.PENDING, OutboundEmail.due_at <= now)
    )
