"""A lead's next steps (the coordinators' tasks) and the inbox views they save."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from leads.extensions import db
from leads.models.base import UTCDateTime, utcnow


class StepKind(enum.StrEnum):
    CALL_BACK = "call_back"
    SEND_DOCUMENTS = "send_documents"
    OTHER = "other"


class NextStep(db.Model):
    """Something a coordinator is to do for a lead by a given time. Owned by the lead (`lead_id`)."""

    __tablename__ = "next_steps"
    __table_args__ = (
        # The inbox's next step per lead, and the lead page's open steps.
        sa.Index("ix_next_steps_lead_due", "lead_id", "due_at", "id"),
        # "My tasks" and the digest: only open steps, by assignee then due time.
        sa.Index(
            "ix_next_steps_open_assignee_due",
            "assignee_id",
            "due_at",
            postgresql_where=sa.text("completed_at IS NULL"),
            sqlite_where=sa.text("completed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(sa.ForeignKey("leads.id"))
    kind: Mapped[str] = mapped_column(sa.String(32), default=StepKind.CALL_BACK)
    # Free text typed by the coordinator ("ask about the MRI"); required for kind "other".
    details: Mapped[str] = mapped_column(sa.String(500), default="")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SavedView(db.Model):
    """A coordinator's named inbox filters (the query string), listed in the navigation."""

    __tablename__ = "saved_views"
    __table_args__ = (sa.UniqueConstraint("user_id", "name", name="uq_saved_views_user_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    query: Mapped[str] = mapped_column(sa.String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
