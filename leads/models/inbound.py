"""Mail that comes back: a patient's reply (matched to a lead) or an unmatched message for admins."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from leads.extensions import db
from leads.models.base import UTCDateTime, utcnow


class InboundMessage(db.Model):
    """Owned by the lead (`lead_id`) once matched; `lead_id` is None in the unmatched list."""

    __tablename__ = "inbound_messages"
    __table_args__ = (sa.Index("ix_inbound_messages_lead_received", "lead_id", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int | None] = mapped_column(sa.ForeignKey("leads.id"))
    # "token" (the Reply-To address), "thread" (In-Reply-To / References), or None (unmatched).
    matched_by: Mapped[str | None] = mapped_column(sa.String(16))
    from_address: Mapped[str] = mapped_column(sa.String(320), default="")
    subject: Mapped[str] = mapped_column(sa.String(300), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    message_id: Mapped[str | None] = mapped_column(sa.String(300))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InboundAttachment(db.Model):
    """A file that came with a reply, size-limited; served only to logged-in staff, as a download."""

    __tablename__ = "inbound_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        sa.ForeignKey("inbound_messages.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(200), default="attachment")
    content_type: Mapped[str] = mapped_column(sa.String(100), default="application/octet-stream")
    size: Mapped[int] = mapped_column(default=0)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
