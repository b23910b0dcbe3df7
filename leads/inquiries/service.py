"""Storing an inquiry: one transaction for the lead, the inquiry, its timeline event and its emails."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from leads import metrics
from leads.assignment import auto_assign
from leads.extensions import db
from leads.inquiries.repeats import find_repeat
from leads.mail import outbox
from leads.merging import follow_merges
from leads.models import Article, Inquiry, Lead, SpamSubmission
from leads.models.base import utcnow
from leads.notifications import new_lead_notice_rows
from leads.timeline import EventKind, record_event

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InquiryData:
    """What the form gave, already validated and normalized."""

    submission_id: str
    full_name: str
    email: str  # normalized
    consent_text: str
    consent_version: str
    phone: str | None = None  # E.164
    preferred_contact: str = "email"
    symptoms: list[str] = field(default_factory=list)
    message: str = ""
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_term: str | None = None
    utm_content: str | None = None
    referrer: str | None = None
    landing_page: str | None = None


@dataclass(frozen=True)
class SubmissionResult:
    inquiry_id: int
    lead_id: int
    # False when this submission id had been stored already (double click, retry, resubmit).
    created: bool
    new_lead: bool = False
    published: int = 0
    # Set when the submission repeated a recent inquiry: that inquiry's id (nothing new was stored).
    repeat_of: int | None = None
    # True when the lead had unsubscribed and this inquiry asked to be contacted again.
    resubscribed: bool = False


# One row whatever matches: the stored inquiry and the lead are joined to it, each possibly missing.
_ONE_ROW = sa.select(sa.literal(1).label("one")).subquery()


def _lookup(submission_id: str, email: str) -> tuple[SubmissionResult | None, Lead | None]:
    """The inquiry stored already under this submission id, and the lead of this address:
    both in one query (a round trip less on every POST). A merged duplicate forwards to the
    lead that absorbed it."""
    stored = sa.select(Inquiry.id, Inquiry.lead_id).where(Inquiry.submission_id == submission_id).subquery()
    row = db.session.execute(
        sa.select(stored.c.id, stored.c.lead_id, Lead)
        .select_from(_ONE_ROW)
        .outerjoin(stored, sa.true())
        .outerjoin(Lead, Lead.email == email)
    ).one()
    existing = (
        SubmissionResult(inquiry_id=row.id, lead_id=row.lead_id, created=False)
        if row.id is not None
        else None
    )
    return existing, follow_merges(row.Lead)


def _same_content(inquiry_id: int, article: Article, data: InquiryData) -> bool:
    """Whether the stored inquiry says what `data` says (a double click or a retry, not an edit)."""
    inquiry = db.session.get(Inquiry, inquiry_id)
    stored = (
        inquiry.article_id,
        inquiry.lead.email,
        inquiry.full_name,
        inquiry.phone,
        inquiry.preferred_contact,
        sorted(inquiry.symptoms or []),
        inquiry.message or "",
    )
    typed = (
        article.id,
        data.email,
        data.full_name,
        data.phone,
        data.preferred_contact,
        sorted(data.symptoms),
        data.message or "",
    )
    return stored == typed


def _upsert_lead(lead: Lead | None, data: InquiryData, now: datetime, language: str) -> tuple[Lead, bool]:
    """The known lead of this address, or a new one. A known lead keeps its name, phone and
    preferred contact: anyone may type its address, so new details wait on the inquiry.
    Its language follows the latest inquiry's article: the language the person last wrote in."""
    if lead is None:
        lead = Lead(
            full_name=data.full_name,
            email=data.email,
            phone=data.phone,
            preferred_contact=data.preferred_contact,
            language=language,
            last_inquiry_at=now,
            created_at=now,
        )
        # Written with the inquiry, in one flush: a concurrent first inquiry from this address fails there.
        db.session.add(lead)
        return lead, True
    lead.last_inquiry_at = now
    lead.language = language
    return lead, False


def _repeated(lead: Lead | None, article: Article, data: InquiryData, now: datetime) -> Inquiry | None:
    """The recent inquiry this submission repeats (Back, then send again), if any.

    An unsubscribed lead's new submission is never a repeat: it asks to be contacted again.
    """
    if lead is None or lead.unsubscribed_at is not None:
        return None
    window = current_app.config["REPEAT_WINDOW_MINUTES"]
    return find_repeat(lead.id, article.id, data.symptoms, data.message, now, window)


@dataclass(frozen=True)
class _Hints:
    """What to tell the broker after the commit: rows due now, and rows due soon (with when)."""

    now: list[int]
    soon: list[tuple[int, datetime]]


def _store(
    article: Article, data: InquiryData, now: datetime, known: Lead | None
) -> tuple[SubmissionResult, _Hints]:
    first = _repeated(known, article, data, now)
    if first is not None:
        # Recorded on the first inquiry's timeline; nothing new is stored, counted or owed.
        # Contact details typed differently this time (a corrected phone, say) are kept on the
        # event for the coordinator to read; they change nothing by themselves.
        typed = {
            "full_name": data.full_name,
            "phone": data.phone,
            "preferred_contact": data.preferred_contact,
        }
        changed = {name: value for name, value in typed.items() if value and value != getattr(first, name)}
        record_event(
            known.id, EventKind.INQUIRY_REPEATED, inquiry_id=first.id, article_id=article.id, typed=changed
        )
        result = SubmissionResult(inquiry_id=first.id, lead_id=known.id, created=False, repeat_of=first.id)
        return result, _Hints([], [])
    lead, new_lead = _upsert_lead(known, data, now, article.language)
    # A new inquiry, with its consent, is the patient asking to be contacted again.
    resubscribed = lead.unsubscribed_at is not None
    if resubscribed:  # assigning None to a new lead would cost an UPDATE of the row just inserted
        lead.unsubscribed_at = None
    inquiry = Inquiry(
        lead=lead,
        article_id=article.id,
        submission_id=data.submission_id,
        symptoms=list(data.symptoms),
        message=data.message,
        full_name=data.full_name,
        phone=data.phone,
        preferred_contact=data.preferred_contact,
        consent_text=data.consent_text,
        consent_version=data.consent_version,
        consented_at=now,
        utm_source=data.utm_source,
        utm_medium=data.utm_medium,
        utm_campaign=data.utm_campaign,
        utm_term=data.utm_term,
        utm_content=data.utm_content,
        referrer=data.referrer,
        landing_page=data.landing_page,
        created_at=now,
    )
    db.session.add(inquiry)
    # The lead (if new) and the inquiry: ids for the event and the outbox rows. A duplicate
    # submission, or a concurrent first inquiry from this address, fails here.
    db.session.flush()
    if new_lead:
        auto_assign(lead)
    # Someone who once asked us to stop gets what this inquiry needs, not the reminders too.
    # The coordinators' notice goes in the same INSERT as the patient's emails.
    notices = new_lead_notice_rows(lead, inquiry, now, new_lead=new_lead)
    rows = outbox.schedule_inquiry_followups(inquiry, now=now, reminders=not resubscribed, also=notices)
    # Recorded last, so the one flush below writes the events and the webhooks they owe
    # (leads/webhooks/emit.py) together, rather than an autoflush before the outbox INSERT.
    record_event(lead.id, EventKind.INQUIRY_RECEIVED, inquiry_id=inquiry.id, article_id=article.id)
    if resubscribed:
        record_event(lead.id, EventKind.RESUBSCRIBED, inquiry_id=inquiry.id, via="inquiry")
    db.session.flush()
    result = SubmissionResult(
        inquiry_id=inquiry.id, lead_id=lead.id, created=True, new_lead=new_lead, resubscribed=resubscribed
    )
    return result, _Hints(outbox.due_now(rows, now=now), outbox.due_soon(rows, now=now))


def submit_inquiry(article: Article, data: InquiryData, now: datetime | None = None) -> SubmissionResult:
    """Store one inquiry, idempotently on its submission id; then hint the broker.

    Never waits on email or the network beyond a best-effort publish after the commit.
    """
    existing, known = _lookup(data.submission_id, data.email)
    if existing is not None:
        if _same_content(existing.inquiry_id, article, data):
            return existing
        # The same form sent again with other details (a browser restores the hidden id on Back):
        # a new submission, not a duplicate to drop.
        log.info("submission id of inquiry %s reused with other details: stored anew", existing.inquiry_id)
        data = replace(data, submission_id=uuid.uuid4().hex)
    now = now or utcnow()
    article_id = article.id  # read before the commit expires it: no reload just for the log line
    # Two attempts: the first may lose a race for a new lead's email address.
    for attempt in (1, 2):
        try:
            result, hints = _store(article, data, now, known)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            existing, known = _lookup(data.submission_id, data.email)
            if existing is not None:
                return existing
            if attempt == 2:
                raise
            log.info("inquiry store raced on a unique key; retrying once")
            continue
        break
    if result.repeat_of is not None:
        log.info(
            "inquiry %s sent again for lead %s: recorded, nothing owed", result.repeat_of, result.lead_id
        )
        return result
    log.info("inquiry %s stored for lead %s (article %s)", result.inquiry_id, result.lead_id, article_id)
    metrics.inquiry_received()
    # The confirmation, and the invitation held by the broker until it is due (so it leaves on
    # time rather than at the next sweep), in one round trip to the broker.
    return replace(result, published=outbox.publish_together(hints.now, hints.soon))


def record_spam(article: Article, reason: str = "honeypot") -> None:
    """Count a caught bot submission; nothing the bot typed is kept."""
    db.session.add(SpamSubmission(article_id=article.id, reason=reason))
    db.session.commit()
    log.info("spam submission on article %s (%s)", article.id, reason)
    metrics.spam_refused(reason)
