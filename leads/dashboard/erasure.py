"""Erasing a person's data (an admin action): the lead stays as figures, nothing that names or
describes the person remains, in the database or in the `.eml` copies under instance/."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from leads.audit.service import AuditAction, record_audit
from leads.dashboard.actions import PATIENT_KINDS, ActionError
from leads.dashboard.vacuum import request_vacuum
from leads.extensions import db
from leads.mail import outbox
from leads.mail.delivery import eml_path
from leads.models import Inquiry, Lead, LeadEvent, OutboundEmail, QuestionnaireResponse, User
from leads.models.base import utcnow
from leads.timeline import EventKind, record_event

log = logging.getLogger(__name__)

# Timeline data that never holds personal text (ids, states, choices from fixed lists).
SAFE_EVENT_KEYS = {
    "from",
    "to",
    "assignee_id",
    "round_robin",
    "outcome",
    "email_id",
    "email_kind",
    "inquiry_id",
    "article_id",
    "response_id",
    "source_id",
    "target_id",
    "cancelled_emails",
    "inquiries",
    "questionnaire_responses",
    "outbound_emails",
    "lead_events",
    "symptom_counts",
    "emails_cancelled",
    "files_deleted",
}


# The tables an erasure rewrites: their old row versions are vacuumed away afterwards.
TOUCHED_TABLES = tuple(
    model.__tablename__ for model in (Lead, Inquiry, QuestionnaireResponse, LeadEvent, OutboundEmail)
)


def _scrub_lead(lead: Lead) -> dict[str, int]:
    """Replace the person in one lead row and everything attached to it. Returns symptom counts."""
    lead.full_name = f"Erased lead #{lead.id}"
    lead.email = f"erased-{lead.id}@invalid"
    lead.phone = None
    lead.lost_reason = None
    lead.erased_at = utcnow()
    lead.unsubscribed_at = lead.unsubscribed_at or lead.erased_at
    counts = {}
    for inquiry in db.session.scalars(sa.select(Inquiry).where(Inquiry.lead_id == lead.id)):
        # Symptoms are health data: only how many were chosen stays.
        counts[str(inquiry.id)] = len(inquiry.symptoms or [])
        inquiry.symptoms = []
        inquiry.message = ""
        inquiry.referrer = None
        inquiry.landing_page = None
        # Campaign tags are free text anyone can put in a link.
        inquiry.utm_source = None
        inquiry.utm_medium = None
        inquiry.utm_campaign = None
        inquiry.utm_term = None
        inquiry.utm_content = None
    for response in db.session.scalars(
        sa.select(QuestionnaireResponse).where(QuestionnaireResponse.lead_id == lead.id)
    ):
        # Every answer is health data: the row stays only so statistics can count it.
        response.answers = {}
        response.red_flags = []
        response.score = 0
    for event in db.session.scalars(sa.select(LeadEvent).where(LeadEvent.lead_id == lead.id)):
        data = event.data or {}
        event.data = {key: value for key, value in data.items() if key in SAFE_EVENT_KEYS}
    # A bounce message may quote the address.
    db.session.execute(
        sa.update(OutboundEmail).where(OutboundEmail.lead_id == lead.id).values(last_error=None),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        sa.update(OutboundEmail)
        .where(OutboundEmail.lead_id == lead.id, OutboundEmail.kind.in_(PATIENT_KINDS))
        .values(recipient=None),
        execution_options={"synchronize_session": False},
    )
    return counts


def _delete_copies(email_ids: list[int]) -> int:
    """Delete the `.eml` copies written for these outbox rows, and nothing else."""
    deleted = 0
    for email_id in email_ids:
        path = eml_path(email_id)
        if path.exists():
            path.unlink()
            deleted += 1
    return deleted


def erase_lead(lead: Lead, actor: User) -> int:
    """Erase the lead and every duplicate merged into it. Returns how many files were deleted."""
    if not actor.is_admin:
        raise ActionError("Only an admin can erase personal data.")
    if lead.erased_at is not None:
        raise ActionError("This lead was already erased.")
    if lead.merged_into_id is not None:
        raise ActionError(f"Erase lead #{lead.merged_into_id}, which this one was merged into.")
    people = [lead, *db.session.scalars(sa.select(Lead).where(Lead.merged_into_id == lead.id))]
    if db.session.get_bind().dialect.name == "sqlite":
        # The local database is a file under instance/: overwrite replaced text instead of leaving it in free pages.
        db.session.execute(sa.text("PRAGMA secure_delete = ON"))
    cancelled = 0
    symptom_counts = {}
    for person in people:
        cancelled += outbox.cancel_pending(person.id)
        symptom_counts.update(_scrub_lead(person))
    email_ids = list(
        db.session.scalars(
            sa.select(OutboundEmail.id).where(OutboundEmail.lead_id.in_([p.id for p in people]))
        )
    )
    record_event(
        lead.id,
        EventKind.ERASED,
        actor_id=actor.id,
        emails_cancelled=cancelled,
        symptom_counts=symptom_counts,
    )
    record_audit(AuditAction.LEAD_ERASED, "lead", lead.id, actor=actor, merged_leads=len(people) - 1)
    db.session.commit()
    # After the commit: if it had failed, the copies would still match the data.
    deleted = _delete_copies(email_ids)
    request_vacuum(list(TOUCHED_TABLES))
    log.info("lead %s erased: %s emails cancelled, %s files deleted", lead.id, cancelled, deleted)
    return deleted
