"""A lead is a person; an inquiry is one form submission from that person."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from leads.extensions import db
from leads.models.base import UTCDateTime, utcnow
from leads.models.stats_counts import install_stats_triggers
from leads.models.status_counts import install_counting_triggers
from leads.models.types import JSONType


class LeadStatus(enum.StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    QUALIFIED = "qualified"
    CONSULTATION_BOOKED = "consultation_booked"
    TREATED = "treated"
    NOT_A_FIT = "not_a_fit"
    LOST = "lost"


class ContactMethod(enum.StrEnum):
    EMAIL = "email"
    PHONE = "phone"


class Lead(db.Model):
    __tablename__ = "leads"
    __table_args__ = (
        # The inbox: urgent first, then score, then most recent activity.
        sa.Index("ix_leads_inbox", "is_urgent", "score", "last_inquiry_at", "id"),
        sa.Index("ix_leads_status_last_inquiry", "status", "last_inquiry_at"),
        sa.Index("ix_leads_assignee", "assignee_id", "last_inquiry_at"),
        # Dashboard: a status tab in inbox order, the "newest lead" sort and date range, phone and
        # email prefix search (text_pattern_ops lets LIKE 'x%' use the index under any collation),
        # and the merged duplicates of a lead.
        sa.Index("ix_leads_status_inbox", "status", "is_urgent", "score", "last_inquiry_at", "id"),
        sa.Index("ix_leads_created", "created_at", "id"),
        sa.Index("ix_leads_phone", "phone", postgresql_ops={"phone": "text_pattern_ops"}),
        sa.Index("ix_leads_email_prefix", "email", postgresql_ops={"email": "text_pattern_ops"}),
        # Search: a fragment of a name anywhere, by trigrams on PostgreSQL (pg_trgm is created before
        # the tables; the email and phone branches of the search use the prefix indexes above).
        # On SQLite it is a plain index, which the search does not use: SQLite scans instead.
        sa.Index(
            "ix_leads_name_trgm",
            "full_name",
            postgresql_using="gin",
            postgresql_ops={"full_name": "gin_trgm_ops"},
        ),
        # Only merged leads: a full index here lures SQLite's planner into using it for the
        # inbox's `merged_into_id IS NULL` and sorting every lead instead of walking ix_leads_inbox.
        sa.Index(
            "ix_leads_merged_into",
            "merged_into_id",
            postgresql_where=sa.text("merged_into_id IS NOT NULL"),
            sqlite_where=sa.text("merged_into_id IS NOT NULL"),
        ),
        # The statistics' median time to first contact: the newest contacted leads, without walking
        # past every lead never contacted (most of the recent ones).
        sa.Index(
            "ix_leads_contacted_created",
            "created_at",
            postgresql_where=sa.text("first_contacted_at IS NOT NULL AND merged_into_id IS NULL"),
            sqlite_where=sa.text("first_contacted_at IS NOT NULL AND merged_into_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    # Normalized by email-validator; the deduplication key.
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    phone: Mapped[str | None] = mapped_column(sa.String(32))  # E.164
    preferred_contact: Mapped[str] = mapped_column(sa.String(16), default=ContactMethod.EMAIL)
    # The language of the article of the latest inquiry (e.g. "ar"): the one the person reads.
    language: Mapped[str] = mapped_column(sa.String(16), default="en", server_default="en", index=True)
    status: Mapped[str] = mapped_column(sa.String(32), default=LeadStatus.NEW, index=True)
    lost_reason: Mapped[str | None] = mapped_column(sa.String(500))
    is_urgent: Mapped[bool] = mapped_column(default=False)
    # When the latest red flag arrived: the urgent response is due URGENT_RESPONSE_MINUTES later,
    # unless a coordinator has contacted the patient since.
    urgent_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[int] = mapped_column(default=0)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("leads.id"))
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A new inquiry from the same person brings the lead back to the top of the inbox.
    last_inquiry_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    inquiries: Mapped[list[Inquiry]] = relationship(
        back_populates="lead", order_by="Inquiry.created_at", foreign_keys="Inquiry.lead_id"
    )
    assignee = relationship("User", foreign_keys=[assignee_id])


install_counting_triggers(Lead.__table__)
# The name search's trigram index needs the extension before `create_all()` makes the tables.
sa.event.listen(
    db.metadata,
    "before_create",
    sa.DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)


class Inquiry(db.Model):
    __tablename__ = "inquiries"
    __table_args__ = (
        # Dashboard: each lead's latest inquiry, and the article filter (EXISTS by article, then lead).
        sa.Index("ix_inquiries_lead_created", "lead_id", "created_at", "id"),
        sa.Index("ix_inquiries_article_lead", "article_id", "lead_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(sa.ForeignKey("leads.id"), index=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id"), index=True)
    # One id per rendered form: a retried or double-clicked submission stores once.
    submission_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    symptoms: Mapped[list] = mapped_column(JSONType(), default=list)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    # The contact details typed with this inquiry. They are only proposed for the lead: anyone
    # may type a known address, so the lead changes when a coordinator accepts them.
    full_name: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(32))  # E.164
    # "accepted" or "kept" once a coordinator decided on the proposed details; None before.
    contact_decision: Mapped[str | None] = mapped_column(sa.String(16))
    preferred_contact: Mapped[str] = mapped_column(sa.String(16), default=ContactMethod.EMAIL)
    consent_text: Mapped[str] = mapped_column(sa.Text)
    consent_version: Mapped[str] = mapped_column(sa.String(32))
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    utm_source: Mapped[str | None] = mapped_column(sa.String(200), index=True)
    utm_medium: Mapped[str | None] = mapped_column(sa.String(200))
    utm_campaign: Mapped[str | None] = mapped_column(sa.String(200))
    utm_term: Mapped[str | None] = mapped_column(sa.String(200))
    utm_content: Mapped[str | None] = mapped_column(sa.String(200))
    referrer: Mapped[str | None] = mapped_column(sa.String(1000))
    landing_page: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    lead: Mapped[Lead] = relationship(back_populates="inquiries", foreign_keys=[lead_id])
    article = relationship("Article")


class SpamSubmission(db.Model):
    """A submission caught by the honeypot: counted, with no personal data kept."""

    __tablename__ = "spam_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int | None] = mapped_column(sa.ForeignKey("articles.id"))
    reason: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


install_stats_triggers({"leads": Lead.__table__, "inquiries": Inquiry.__table__})
