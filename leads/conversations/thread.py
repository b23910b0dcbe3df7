"""A lead's email thread: what coordinators wrote (with its delivery state) and what the patient sent back."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

import sqlalchemy as sa

from leads.extensions import db
from leads.models import (
    EmailStatus,
    InboundAttachment,
    InboundMessage,
    Lead,
    OutboundEmail,
    PatientMessage,
    User,
)

STATE_LABELS = {
    EmailStatus.PENDING: "queued",
    EmailStatus.SENDING: "sending",
    EmailStatus.SENT: "sent",
    EmailStatus.FAILED: "failed",
    EmailStatus.CANCELLED: "cancelled",
}


@dataclass
class Attachment:
    id: int
    filename: str
    size: int


@dataclass
class ThreadItem:
    at: datetime
    incoming: bool
    subject: str
    body: str
    author: str
    status: str | None = None
    attachments: list[Attachment] = field(default_factory=list)


def thread(lead_id: int) -> list[ThreadItem]:
    """Oldest first, in three queries whatever the length of the thread."""
    items = [
        ThreadItem(
            message.created_at,
            False,
            message.subject,
            message.body,
            full_name or email or "A former colleague",
            status,
        )
        for message, status, full_name, email in db.session.execute(
            sa.select(PatientMessage, OutboundEmail.status, User.full_name, User.email)
            .join(OutboundEmail, OutboundEmail.id == PatientMessage.email_id)
            .outerjoin(User, User.id == PatientMessage.author_id)
            .where(PatientMessage.lead_id == lead_id)
        )
    ]
    replies = list(db.session.scalars(sa.select(InboundMessage).where(InboundMessage.lead_id == lead_id)))
    files: dict[int, list[Attachment]] = defaultdict(list)
    if replies:
        for row in db.session.execute(
            sa.select(
                InboundAttachment.id,
                InboundAttachment.message_id,
                InboundAttachment.filename,
                InboundAttachment.size,
            )
            .where(InboundAttachment.message_id.in_([reply.id for reply in replies]))
            .order_by(InboundAttachment.id)
        ):
            files[row.message_id].append(Attachment(row.id, row.filename, row.size))
    items += [
        ThreadItem(reply.received_at, True, reply.subject, reply.body, "Patient", attachments=files[reply.id])
        for reply in replies
    ]
    items.sort(key=lambda item: item.at)
    return items


@cache
def _replied_statement() -> sa.Select:
    """Built once (SQLAlchemy keeps its cache key): the inbox runs it on every page."""
    return (
        sa.select(InboundMessage.lead_id)
        .join(Lead, Lead.id == InboundMessage.lead_id)
        .where(
            InboundMessage.lead_id.in_(sa.bindparam("lead_ids", expanding=True)),
            sa.or_(Lead.last_contacted_at.is_(None), InboundMessage.received_at > Lead.last_contacted_at),
        )
        .distinct()
    )


def replied(lead_ids: list[int]) -> set[int]:
    """The leads whose patient wrote after the last contact (the inbox marks them "replied"), in one query."""
    if not lead_ids:
        return set()
    return set(db.session.scalars(_replied_statement(), {"lead_ids": lead_ids}))
