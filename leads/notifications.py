"""New-lead notifications: the assignee (or, with nobody assigned, the coordinators on duty) hears of
a new inquiry by email, with only the lead's id, the treatment and a link; at most one per lead per
NOTIFY_BATCH_MINUTES, so a patient sending several inquiries in a row does not flood anyone."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from leads import links
from leads.extensions import db
from leads.mail.outbox import coordinator_addresses, owed_row
from leads.models import EmailKind, Inquiry, Lead, OutboundEmail, Role, User


def on_duty() -> list[str]:
    """Active coordinators; every active account (or COORDINATOR_EMAILS) when no coordinator account exists."""
    # One query for both answers: a new lead's POST pays for every statement.
    accounts = db.session.execute(sa.select(User.email, User.role).where(User.active.is_(True))).all()
    coordinators = [email for email, role in accounts if role == Role.COORDINATOR]
    return coordinators or coordinator_addresses(active=[email for email, _role in accounts])


def _notified_within(lead_id: int, now: datetime) -> bool:
    window = timedelta(minutes=current_app.config["NOTIFY_BATCH_MINUTES"])
    recent = db.session.scalar(
        sa.select(OutboundEmail.id)
        .where(
            OutboundEmail.lead_id == lead_id,
            OutboundEmail.kind == EmailKind.LEAD_NOTICE,
            # A notice is due when owed: its due time is when the lead last notified.
            OutboundEmail.due_at > now - window,
        )
        .limit(1)
    )
    return recent is not None


def new_lead_notice_rows(lead: Lead, inquiry: Inquiry, now: datetime, new_lead: bool = False) -> list[dict]:
    """The notification owed for this inquiry (owed_row(), for the caller's one INSERT of the
    inquiry's emails), unless one for the lead was owed within the batch window (a lead created
    in this transaction has had none: no need to look)."""
    if not new_lead and _notified_within(lead.id, now):
        return []
    assignee = db.session.get(User, lead.assignee_id) if lead.assignee_id else None
    addresses = [assignee.email] if assignee is not None and assignee.active else on_duty()
    return [
        owed_row(
            EmailKind.LEAD_NOTICE,
            f"notice:{inquiry.id}:{address.lower()}",
            now,
            lead.id,
            inquiry.id,
            address,
            now=now,
        )
        for address in addresses
    ]


def notice_context(email: OutboundEmail) -> dict:
    """Only the lead's id, the treatment and the link: coordinators' mailboxes are not the dashboard."""
    inquiry = db.session.get(Inquiry, email.inquiry_id) if email.inquiry_id else None
    return {
        "lead_id": email.lead_id,
        "lead_url": links.lead_url(email.lead_id),
        "treatment": inquiry.article.title if inquiry is not None and inquiry.article is not None else "",
    }
