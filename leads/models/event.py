"""The lead timeline and the audit log."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from leads.audit.append_only import install_append_only_trigger
from leads.extensions import db
from leads.models.base import UTCDateTime, utcnow
from leads.models.types import JSONType


class LeadEvent(db.Model):
    """Something that happened to a lead, shown on its timeline."""

    __tablename__ = "lead_events"
    __table_args__ = (sa.Index("ix_lead_events_lead_created", "lead_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(sa.ForeignKey("leads.id"))
    # None when the system did it (a worker, the patient).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    data: Mapped[dict] = mapped_column(JSONType(), default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor = relationship("User")


class AuditEntry(db.Model):
    """Who saw or changed what, when and from where. Append-only: the app never edits it."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Kept as text so the entry still reads after the account is gone.
    actor_email: Mapped[str | None] = mapped_column(sa.String(320))
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    target_type: Mapped[str | None] = mapped_column(sa.String(40))
    target_id: Mapped[int | None] = mapped_column()
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(300))
    details: Mapped[dict] = mapped_column(JSONType(), default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# Kept here, beside the model, so every `create_all()` also makes the table append-only on PostgreSQL.
install_append_only_trigger(AuditEntry.__table__)
