"""Round-robin assignment of new leads among active coordinators (when the setting is on)."""

from __future__ import annotations

from flask import current_app

from leads.extensions import db
from leads.models import Lead, Role, User
from leads.models.base import utcnow


def next_coordinator() -> User | None:
    """The active coordinator who has waited longest for a lead."""
    return db.session.scalar(
        db.select(User)
        .where(User.active.is_(True), User.role == Role.COORDINATOR)
        .order_by(User.last_assigned_at.is_not(None), User.last_assigned_at, User.id)
        .limit(1)
        .with_for_update()
    )


def auto_assign(lead: Lead) -> User | None:
    """Give an unassigned lead to the next coordinator, if round-robin is on. Part of the caller's transaction."""
    if not current_app.config["ROUND_ROBIN_ASSIGNMENT"] or lead.assignee_id is not None:
        return None
    user = next_coordinator()
    if user is None:
        return None
    lead.assignee_id = user.id
    user.last_assigned_at = utcnow()
    return user
