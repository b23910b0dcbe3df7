"""Outbound webhooks: the endpoints admins configure, and each delivery owed to them (an outbox)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from leads.extensions import db
from leads.models.base import UTCDateTime, utcnow
from leads.models.types import JSONType


class WebhookEndpoint(db.Model):
    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    url: Mapped[str] = mapped_column(sa.String(500))
    # "whsec_" + base64: the Standard Webhooks form, given to the receiver to verify signatures.
    secret: Mapped[str] = mapped_column(sa.String(100))
    # Event types it receives, e.g. ["inquiry.received", "lead.urgent"].
    events: Mapped[list] = mapped_column(JSONType(), default=list)
    # Off: payloads carry ids and statuses only, never symptoms, answers, messages or contacts.
    allow_health_details: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    deliveries = relationship("WebhookDelivery", back_populates="endpoint", passive_deletes=True)


class WebhookDelivery(db.Model):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.Index(
            "ix_webhook_deliveries_unsent_due",
            "due_at",
            postgresql_where=sa.text("status IN ('pending', 'sending')"),
            sqlite_where=sa.text("status IN ('pending', 'sending')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    lead_id: Mapped[int | None] = mapped_column(index=True)
    event_type: Mapped[str] = mapped_column(sa.String(64))
    # The `webhook-id` header: the same on every retry, so the receiver can drop duplicates.
    message_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    payload: Mapped[dict] = mapped_column(JSONType(), default=dict)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    endpoint = relationship("WebhookEndpoint", back_populates="deliveries")
