"""The rules checked again just before sending: a row owed yesterday may be unwelcome today."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from leads.consultations.emails import KINDS as CONSULTATION_KINDS
from leads.consultations.emails import cancel_reason as consultation_cancel_reason
from leads.extensions import db
from leads.models import EmailKind, LeadStatus, OutboundEmail, QuestionnaireResponse
from leads.models.outbox import PATIENT_KINDS

QUESTIONNAIRE_KINDS = frozenset({EmailKind.QUESTIONNAIRE, EmailKind.REMINDER})


def cancel_reason(email: OutboundEmail) -> str | None:
    """Why row `email` must not go out any more, or None when it should."""
    return cancel_reasons([email])[email.id]


def cancel_reasons(emails: Iterable[OutboundEmail]) -> dict[int, str | None]:
    """The rules for many rows (their leads loaded), with one query for all their questionnaires."""
    emails = list(emails)
    answered = answered_inquiries(
        {email.inquiry_id for email in emails if email.kind in QUESTIONNAIRE_KINDS and email.inquiry_id}
    )
    return {email.id: _reason(email, answered) for email in emails}


def answered_inquiries(inquiry_ids: Collection[int]) -> set[int]:
    """Which of these inquiries have questionnaire answers."""
    if not inquiry_ids:
        return set()
    return set(
        db.session.scalars(
            db.select(QuestionnaireResponse.inquiry_id).where(
                QuestionnaireResponse.inquiry_id.in_(list(inquiry_ids))
            )
        )
    )


def _reason(email: OutboundEmail, answered: set[int]) -> str | None:
    lead = email.lead
    if email.kind == EmailKind.DIGEST:
        return None
    if lead is None:
        return "no lead"
    if lead.erased_at is not None:
        return "lead erased"
    if email.kind not in PATIENT_KINDS:
        return None
    if lead.unsubscribed_at is not None:
        return "unsubscribed"
    if email.kind in QUESTIONNAIRE_KINDS:
        if email.inquiry_id is None:
            return "no inquiry"
        if email.inquiry_id in answered:
            return "questionnaire answered"
    if email.kind in CONSULTATION_KINDS:
        return consultation_cancel_reason(email)
    if email.kind == EmailKind.REMINDER and lead.status != LeadStatus.NEW:
        return f"lead moved on ({lead.status})"
    return None


def recipient_for(email: OutboundEmail) -> str:
    """Patient emails go to the lead's current address; coordinator emails name theirs."""
    if email.kind in PATIENT_KINDS:
        return email.lead.email
    return email.recipient or ""
