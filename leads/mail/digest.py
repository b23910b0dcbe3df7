"""The daily digest to coordinators: how many leads are new, how many nobody has contacted."""

from __future__ import annotations

from datetime import datetime, timedelta

from leads import links
from leads.dashboard.next_steps import local_stamp, overdue_for_address, title
from leads.extensions import db
from leads.mail.outbox import coordinator_addresses, owe
from leads.models import EmailKind, Lead, LeadStatus, OutboundEmail
from leads.models.base import utcnow


def schedule_digest(now: datetime | None = None) -> list[OutboundEmail]:
    """One digest row per coordinator for today; a second call the same day adds nothing."""
    now = now or utcnow()
    rows = []
    for address in coordinator_addresses():
        key = f"digest:{now.date().isoformat()}:{address.lower()}"
        exists = db.session.scalar(db.select(OutboundEmail.id).where(OutboundEmail.idempotency_key == key))
        if exists is None:
            rows.append(owe(EmailKind.DIGEST, key, now, None, recipient=address))
    return rows


def digest_context(recipient: str | None = None, now: datetime | None = None) -> dict:
    """The counts and links, and the recipient's overdue next steps, computed at send time so they are current."""
    now = now or utcnow()
    active = (Lead.erased_at.is_(None), Lead.merged_into_id.is_(None))
    count = db.select(db.func.count()).select_from(Lead).where(*active)
    base = links.base_url()
    return {
        "day": now.date().isoformat(),
        "new_count": db.session.scalar(count.where(Lead.created_at >= now - timedelta(days=1))),
        "unanswered_count": db.session.scalar(count.where(Lead.status == LeadStatus.NEW)),
        "new_url": f"{base}/dashboard",
        "unanswered_url": f"{base}/dashboard?status={LeadStatus.NEW}",
        # Lead ids and the coordinator's own words only, like the urgent alert: no patient details.
        "overdue_steps": [
            {"lead_id": step.lead_id, "title": title(step), "due": local_stamp(step.due_at)}
            for step in overdue_for_address(recipient, now)
        ]
        if recipient
        else [],
        "tasks_url": f"{base}/dashboard/tasks",
    }
