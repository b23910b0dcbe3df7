"""Reading the audit log: filters from the URL, newest first, keyset pagination on the id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from leads.audit.labels import ROUTINE
from leads.extensions import db
from leads.models import AuditEntry
from leads.sql import LIKE_ESCAPE, escape_like, within_days


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


def audit_page(filters: AuditFilters, before: int | None = None, limit: int = 50) -> AuditPage:
    """One page of entries matching `filters`, older than entry `before` (ids only grow)."""
    query = db.select(AuditEntry)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.hide_routine:
        query = query.where(AuditEntry.action.not_in(ROUTINE))
    if filters.actor:
        query = query.where(
            AuditEntry.actor_email.ilike(f"%{escape_like(filters.actor)}%", escape=LIKE_ESCAPE)
        )
    if filters.target_type:
        query = query.where(AuditEntry.target_type == filters.target_type)
    if filters.target_id is not None:
        query = query.where(AuditEntry.target_id == filters.target_id)
    query = query.where(*within_days(AuditEntry.created_at, filters.date_from, filters.date_to))
    if before is not None:
        query = query.where(AuditEntry.id < before)
    rows = list(db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit + 1)))
    next_before = rows[limit - 1].id if len(rows) > limit else None
    return AuditPage(entries=rows[:limit], next_before=next_before)


def known_actions() -> list[str]:
    from leads.audit.service import AuditAction

    return sorted(value for name, value in vars(AuditAction).items() if name.isupper())
