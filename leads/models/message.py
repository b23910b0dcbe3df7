"""What coordinators write to patients, and the saved replies they start from."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from leads.extensions import db
from leads.models.base import UTCDateTime, utcnow


class PatientMessage(db.Model):
    """A message a coordinator wrote to a patient. Owned by the lead (`lead_id`); sent through its outbox row."""

    __tablename__ = "patient_messages"
    __table_args__ = (sa.Index("ix_patient_messages_lead_created", "lead_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(sa.ForeignKey("leads.id"))
    email_id: Mapped[int] = mapped_column(sa.ForeignKey("outbound_emails.id"), unique=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SavedReply(db.Model):
    """An admin-managed snippet; its placeholders are rendered in Jinja's sandbox."""

    __tablename__ = "saved_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(100), unique=True)
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
