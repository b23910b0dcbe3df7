"""The rules checked again just before sending: a row owed yesterday may be unwelcome today."""

from __future__ import annotations

from leads.consultations.emails import KINDS as CONSULTATION_KINDS
from leads.consultations.emails import cancel_reason as consultation_cancel_reason
from leads.extensions import db
from leads.models import EmailKind, LeadStatus, OutboundEmail, QuestionnaireResponse
from leads.models.outbox import PATIENT_KINDS

QUESTIONNAIRE_KINDS = frozenset({EmailKind.QUESTIONNAIRE, EmailKind.REMINDER})


def cancel_reason(email: OutboundEmail) -> str | None:
    """Why row `email` must not go out any more, or None when it should."""
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
        answered = db.session.scalar(
            db.select(QuestionnaireResponse.id).where(QuestionnaireResponse.inquiry_id == email.inquiry_id)
        )
        if answered is not None:
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
