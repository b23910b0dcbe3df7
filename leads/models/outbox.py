"""The outbox: every email owed is a row; the broker only says 'look at row N now'."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from leads.extensions import db
from leads.models.base import UTCDateTime, utcnow


class EmailKind(enum.StrEnum):
    CONFIRMATION = "confirmation"
    QUESTIONNAIRE = "questionnaire"
    REMINDER = "reminder"
    URGENT_ALERT = "urgent_alert"
    DIGEST = "digest"
    # To the assignee or the coordinators on duty: a new inquiry (lead id, treatment, link only).
    LEAD_NOTICE = "lead_notice"
    # To the assignee (or the coordinators on duty): the patient replied (lead id and link only).
    REPLY_NOTICE = "reply_notice"
    # Written by a coordinator on the lead page (its text is a PatientMessage row).
    COORDINATOR_MESSAGE = "coordinator_message"
    # A booked consultation: the invitation (and its updates), the cancellation, the reminder; each with an .ics.
    CONSULTATION_INVITE = "consultation_invite"
    CONSULTATION_CANCEL = "consultation_cancel"
    CONSULTATION_REMINDER = "consultation_reminder"


# The kinds that go to the patient (the others go to coordinators): what an unsubscription
# stops, what goes to the lead's current address, what carries an unsubscribe link, what
# an erasure deletes. The one definition; a new kind is decided here.
PATIENT_KINDS: tuple[EmailKind, ...] = (
    EmailKind.CONFIRMATION,
    EmailKind.QUESTIONNAIRE,
    EmailKind.REMINDER,
    EmailKind.COORDINATOR_MESSAGE,
    EmailKind.CONSULTATION_INVITE,
    EmailKind.CONSULTATION_CANCEL,
    EmailKind.CONSULTATION_REMINDER,
)


class EmailStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class OutboundEmail(db.Model):
    __tablename__ = "outbound_emails"
    __table_args__ = (
        # The sweeper only ever looks at unsent rows: keep that index small.
        sa.Index(
            "ix_outbound_emails_unsent_due",
            "due_at",
            postgresql_where=sa.text("status IN ('pending', 'sending')"),
            sqlite_where=sa.text("status IN ('pending', 'sending')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int | None] = mapped_column(sa.ForeignKey("leads.id"), index=True)
    inquiry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("inquiries.id"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    # Which reminder (1, 2, ...) for kind=reminder; 0 otherwise.
    sequence: Mapped[int] = mapped_column(default=0)
    # Set for coordinator emails; patient emails go to the lead's current address.
    recipient: Mapped[str | None] = mapped_column(sa.String(320))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(sa.String(16), default=EmailStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(1000))
    message_id: Mapped[str | None] = mapped_column(sa.String(255))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # While `sending`: the worker holds the row until then, and renews it before each SMTP
    # transaction; past it, the sweep takes the row back (the worker is presumed dead).
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    idempotency_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lead = relationship("Lead")
