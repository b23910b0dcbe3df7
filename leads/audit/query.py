"""Reading the audit log: filters from the URL, newest first, keyset pagination on the id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from leads.audit.labels import ROUTINE
from leads.extensions import db
from leads.models import AuditEntry


@dataclass(frozen=True)
class AuditFilters:
    action: str | None = None
    actor: str | None = None
    target_type: str | None = None
    target_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    hide_routine: bool = False


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    next_before: int | None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def audit_page(filters: AuditFilters, before: int | None = None, limit: int = 50) -> AuditPage:
    """One page of entries matching `filters`, older than entry `before` (ids only grow)."""
    query = db.select(AuditEntry)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.hide_routine:
        query = query.where(AuditEntry.action.not_in(ROUTINE))
    if filters.actor:
        query = query.where(AuditEntry.actor_email.ilike(f"%{_escape_like(filters.actor)}%", escape="\\"))
    if filters.target_type:
        query = query.where(AuditEntry.target_type == filters.target_type)
    if filters.target_id is not None:
        query = query.where(AuditEntry.target_id == filters.target_id)
    if filters.date_from:
        query = query.where(AuditEntry.created_at >= _day_start(filters.date_from))
    if filters.date_to:
        # The "to" day is included whole.
        query = query.where(AuditEntry.created_at < _day_start(filters.date_to + timedelta(days=1)))
    if before is not None:
        query = query.where(AuditEntry.id < before)
    rows = list(db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit + 1)))
    next_before = rows[limit - 1].id if len(rows) > limit else None
    return AuditPage(entries=rows[:limit], next_before=next_before)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def known_actions() -> list[str]:
    from leads.audit.service import AuditAction

    return sorted(value for name, value in vars(AuditAction).items() if name.isupper())
