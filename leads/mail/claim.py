"""Claiming outbox rows: one conditional UPDATE (per row or per batch), so two workers never send the same row.

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


def claim_batch(limit: int, now: datetime | None = None) -> list[int]:
    """Take up to `limit` due pending rows in one statement; their ids, oldest due first.

    PostgreSQL skips rows another worker has locked (`FOR UPDATE SKIP LOCKED`), so two
    workers claiming at once take disjoint rows without waiting on each other; SQLite runs
    one writer at a time. The outer `status = 'pending'` keeps the statement safe on both.
    """
    now = now or utcnow()
    # A CTE, computed once before the UPDATE: as a plain `IN (subquery)` PostgreSQL's planner may
    # join it against every pending row and run the locking subquery inside that join.
    candidates = (
        db.select(OutboundEmail.id)
        .where(OutboundEmail.status == EmailStatus.PENDING, OutboundEmail.due_at <= now)
        .order_by(OutboundEmail.due_at, OutboundEmail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("candidates")
        .prefix_with("MATERIALIZED")
    )
    claimed = db.session.execute(
        db.update(OutboundEmail)
        .where(OutboundEmail.id.in_(db.select(candidates.c.id)), OutboundEmail.status == EmailStatus.PENDING)
        .values(**_claim_values(now))
        .returning(OutboundEmail.id, OutboundEmail.due_at),
        execution_options={"synchronize_session": False},
    ).all()
    db.session.commit()
    # RETURNING gives no order: send in due order, as the candidates were chosen.
    return [row.id for row in sorted(claimed, key=lambda row: (row.due_at, row.id))]


def claim_next(now: datetime | None = None) -> int | None:
    """Take the oldest due pending row, or None when nothing is due."""
    claimed = claim_batch(1, now)
    return claimed[0] if claimed else None


def still_ours(email_ids: list[int], claimed_at: datetime | None) -> tuple:
    """The condition for rows this worker claimed at `claimed_at` and still holds: `sending`, and
    not taken back by the sweep and claimed again by another worker since (a new claim time)."""
    condition = (OutboundEmail.id.in_(email_ids), OutboundEmail.status == EmailStatus.SENDING)
    if claimed_at is not None:
        condition += (OutboundEmail.claimed_at == claimed_at,)
    return condition


def renew_leases(
    email_ids: list[int], claimed_at: datetime | None = None, now: datetime | None = None
) -> set[int]:
    """Extend this worker's hold on the rows it claimed at `claimed_at`; the ids returned are
    still its own (the sweep may have taken the others back). Part of the caller's transaction."""
    if not email_ids:
        return set()
    now = now or utcnow()
    renewed = db.session.scalars(
        db.update(OutboundEmail)
        .where(*still_ours(email_ids, claimed_at))
        .values(lease_expires_at=lease_until(now))
        .returning(OutboundEmail.id),
        execution_options={"synchronize_session": False},
    )
    return set(renewed)


def release_unsent(email_ids: list[int], claimed_at: datetime | None = None) -> None:
    """Give back claimed rows that were never tried (the batch stopped early): pending again,
    due as before, and the claim's attempt undone. Part of the caller's transaction."""
    if not email_ids:
        return
    db.session.execute(
        db.update(OutboundEmail)
        .where(*still_ours(email_ids, claimed_at))
        .values(status=EmailStatus.PENDING, lease_expires_at=None, attempts=OutboundEmail.attempts - 1),
        execution_options={"synchronize_session": False},
    )


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
