"""Which leads have outlived the retention window, and erasing them with the dashboard's erasure.

A lead is due when its person has not been active, and nobody has worked on it, for
`RETENTION_MONTHS`: its last inquiry, its last contact and the newest event on its timeline
(a status change, note, call, email, answer...) are all older than the cutoff. That one clock
covers the three cases: a lead closed (treated, not a fit) or lost that long ago, and an open
lead left untouched that long. Merging moves the duplicate's inquiries and timeline to the lead
that stays, so that lead's own clock covers its duplicates, which are erased with it.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask import current_app

from leads.dashboard.actions import ActionError
from leads.dashboard.erasure import erase_lead
from leads.extensions import db
from leads.models import Lead, LeadEvent
from leads.models.base import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SystemActor:
    """Who erases on the retention schedule: no account, recorded by this name on the audit log."""

    id: None = None
    email: str = "system:retention"
    is_admin: bool = True


RETENTION_ACTOR = SystemActor()


@dataclass
class RetentionReport:
    cutoff: datetime
    lead_ids: list[int] = field(default_factory=list)
    by_status: Counter = field(default_factory=Counter)
    failed_ids: list[int] = field(default_factory=list)


def cutoff_for(now: datetime, months: int) -> datetime:
    """Calendar months back from `now` (the 31st goes to the month's last day)."""
    return now - relativedelta(months=months)


def _due(cutoff: datetime):
    recent_event = sa.exists().where(LeadEvent.lead_id == Lead.id, LeadEvent.created_at >= cutoff)
    return (
        Lead.erased_at.is_(None),
        # A duplicate goes with the lead it was merged into, by that lead's clock.
        Lead.merged_into_id.is_(None),
        Lead.last_inquiry_at < cutoff,
        Lead.created_at < cutoff,
        sa.or_(Lead.last_contacted_at.is_(None), Lead.last_contacted_at < cutoff),
        ~recent_event,
    )


def due_batch(cutoff: datetime, after_id: int, limit: int) -> list[tuple[int, str]]:
    """The next `limit` due leads after `after_id`, as (id, status): keyset order, so a lead that
    failed is not picked again in the same run."""
    rows = db.session.execute(
        sa.select(Lead.id, Lead.status)
        .where(*_due(cutoff), Lead.id > after_id)
        .order_by(Lead.id)
        .limit(limit)
    )
    return [(row.id, row.status) for row in rows]


def _erase_one(lead_id: int, cutoff: datetime) -> bool:
    """Erase one lead in its own transaction; False when it is no longer due (another run erased
    it, or the patient wrote again since the batch was read)."""
    # Locked and checked again, so a second scheduler (or a manual run) started by mistake skips
    # the lead rather than erasing it twice; SQLite serialises writers and ignores FOR UPDATE.
    lead = db.session.scalar(
        sa.select(Lead)
        .where(Lead.id == lead_id, *_due(cutoff))
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    if lead is None:
        db.session.rollback()
        return False
    erase_lead(lead, RETENTION_ACTOR)
    return True


def run_retention(
    now: datetime | None = None,
    months: int | None = None,
    batch_size: int | None = None,
    dry_run: bool = False,
) -> RetentionReport:
    """Erase (or, with `dry_run`, only list) every lead past the window, one batch of ids at a time."""
    config = current_app.config
    months = config["RETENTION_MONTHS"] if months is None else months
    batch_size = batch_size or config["RETENTION_BATCH_SIZE"]
    report = RetentionReport(cutoff=cutoff_for(now or utcnow(), months))
    if months <= 0:
        return report
    after_id = 0
    while batch := due_batch(report.cutoff, after_id, batch_size):
        # Nothing stays open between batches: the read transaction ends before the writes begin.
        db.session.rollback()
        for lead_id, status in batch:
            if not dry_run:
                try:
                    erased = _erase_one(lead_id, report.cutoff)
                except (ActionError, sa.exc.SQLAlchemyError, OSError):
                    db.session.rollback()
                    log.exception("retention: lead %s could not be erased", lead_id)
                    report.failed_ids.append(lead_id)
                    continue
                if not erased:
                    continue
            report.lead_ids.append(lead_id)
            report.by_status[status] += 1
        after_id = batch[-1][0]
    if not dry_run:
        log.info(
            "retention: %s leads erased, %s failed (cutoff %s)",
            len(report.lead_ids),
            len(report.failed_ids),
            report.cutoff.isoformat(),
        )
    return report
