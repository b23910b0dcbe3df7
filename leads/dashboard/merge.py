"""Merging a duplicate lead (the same person under another address) into the lead that stays."""

from __future__ import annotations

import sqlalchemy as sa

from leads.audit.service import AuditAction, record_audit
from leads.dashboard.actions import ActionError, ensure_open
from leads.extensions import db
from leads.lead_signals import move_all_rows
from leads.models import Lead, User
from leads.timeline import EventKind, record_event


def _earliest(*values):
    present = [value for value in values if value is not None]
    return min(present) if present else None


def _latest(*values):
    present = [value for value in values if value is not None]
    return max(present) if present else None


def merge_leads(source: Lead, target: Lead, actor: User) -> dict[str, int]:
    """Move the source's inquiries, answers, emails and timeline to the target; the source then only
    points at the target (and leaves the inbox). Returns how many rows of each kind moved."""
    if source.id == target.id:
        raise ActionError("A lead cannot be merged into itself.")
    ensure_open(source)
    try:
        ensure_open(target)
    except ActionError as error:
        raise ActionError(f"Lead #{target.id} cannot take the merge: {error}") from error
    # Each area moves the rows it added to the lead (a receiver of `lead_merged`).
    moved = move_all_rows(source.id, target.id)
    # Leads merged into the source earlier now point at the target directly.
    db.session.execute(
        sa.update(Lead).where(Lead.merged_into_id == source.id).values(merged_into_id=target.id),
        execution_options={"synchronize_session": False},
    )
    # The figures that order the inbox take the stronger of the two.
    target.is_urgent = target.is_urgent or source.is_urgent
    # The later red flag decides when the urgent response is due.
    target.urgent_since = max(
        (moment for moment in (target.urgent_since, source.urgent_since) if moment is not None), default=None
    )
    target.score = max(target.score or 0, source.score or 0)
    target.last_inquiry_at = _latest(target.last_inquiry_at, source.last_inquiry_at)
    target.created_at = _earliest(target.created_at, source.created_at)
    target.first_contacted_at = _earliest(target.first_contacted_at, source.first_contacted_at)
    target.last_contacted_at = _latest(target.last_contacted_at, source.last_contacted_at)
    target.phone = target.phone or source.phone
    target.assignee_id = target.assignee_id or source.assignee_id
    source.merged_into_id = target.id
    record_event(target.id, EventKind.MERGED, actor_id=actor.id, source_id=source.id, **moved)
    record_event(source.id, EventKind.MERGED, actor_id=actor.id, target_id=target.id)
    record_audit(AuditAction.LEAD_MERGED, "lead", source.id, actor=actor, merged_into=target.id, **moved)
    db.session.commit()
    return moved
