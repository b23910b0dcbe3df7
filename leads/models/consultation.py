"""A booked consultation: the step the whole pipeline leads to."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from leads.extensions import db
from leads.models.base import UTCDateTime, utcnow


class Place(enum.StrEnum):
    CLINIC = "clinic"
    VIDEO = "video"


class Consultation(db.Model):
    """Owned by the lead (`lead_id`). `uid` and `sequence` are the calendar event's (RFC 5545):
    the UID never changes, SEQUENCE goes up with each reschedule or the cancellation."""

    __tablename__ = "consultations"
    __table_args__ = (
        sa.Index("ix_consultations_starts", "starts_at"),
        sa.Index("ix_consultations_lead", "lead_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(sa.ForeignKey("leads.id"))
    uid: Mapped[str] = mapped_column(sa.String(120), unique=True)
    sequence: Mapped[int] = mapped_column(default=0)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int] = mapped_column(default=30)
    place: Mapped[str] = mapped_column(sa.String(16), default=Place.CLINIC)
    # The address or the video link as it was when booked (what the invitation said).
    location: Mapped[str] = mapped_column(sa.String(500), default="")
    coordinator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
