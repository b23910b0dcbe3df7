"""What a coordinator does to a lead. Each function is one unit of work: it checks, changes, records
the timeline and the audit log, and commits."""

from __future__ import annotations

from datetime import datetime

from leads.assignment import next_coordinator
from leads.audit.service import AuditAction, record_audit
from leads.dashboard.pipeline import CLOSED, TransitionError, check_transition
from leads.extensions import db
from leads.mail import outbox
from leads.models import EmailKind, EmailStatus, Lead, LeadStatus, OutboundEmail, Role, User
from leads.models.base import utcnow
from leads.models.outbox import PATIENT_KINDS
from leads.timeline import EventKind, record_event

NOTE_MAX = 5000
CALL_OUTCOMES = {
    "reached": "Reached the patient",
    "voicemail": "Left a voicemail",
    "no_answer": "No answer",
    "wrong_number": "Wrong number",
}


class ActionError(ValueError):
    """The action cannot be done; the message is shown to the coordinator as is."""


def ensure_open(lead: Lead) -> None:
    if lead.erased_at is not None:
        raise ActionError("This lead's personal data was erased; it can no longer be changed.")
    if lead.merged_into_id is not None:
        raise ActionError(f"This lead was merged into lead #{lead.merged_into_id}.")


def _mark_contacted(lead: Lead, now: datetime) -> None:
    if lead.first_contacted_at is None:
        lead.first_contacted_at = now
    lead.last_contacted_at = now


def nudges_to_cancel(target: str) -> list[EmailKind]:
    """The automatic emails a move to `target` stops: reminders always, the questionnaire too on closing."""
    return [EmailKind.REMINDER, EmailKind.QUESTIONNAIRE] if target in CLOSED else [EmailKind.REMINDER]


def change_status(
    lead: Lead, target: str, actor: User, reason: str | None = None, now: datetime | None = None
) -> int:
    """Move the lead along the pipeline. Leaving `new` counts as the first contact; "contacted" is a contact.

    Returns how many pending emails were cancelled."""
    ensure_open(lead)
    now = now or utcnow()
    try:
        reason = check_transition(lead.status, target, reason)
    except TransitionError as error:
        raise ActionError(str(error)) from error
    previous = lead.status
    if target == LeadStatus.CONTACTED:
        _mark_contacted(lead, now)
    elif previous == LeadStatus.NEW and lead.first_contacted_at is None:
        lead.first_contacted_at = now
    lead.status = target
    lead.lost_reason = reason
    # A coordinator has taken over: the automatic nudges stop.
    cancelled = outbox.cancel_pending(lead.id, kinds=nudges_to_cancel(target))
    record_event(
        lead.id, EventKind.STATUS_CHANGED, actor_id=actor.id, to=target, reason=reason, **{"from": previous}
    )
    record_audit(AuditAction.STATUS_CHANGED, "lead", lead.id, actor=actor, to=target, **{"from": previous})
    db.session.commit()
    return cancelled


def assign(lead: Lead, assignee_id: int | None, actor: User, round_robin: bool = False) -> User | None:
    """Give the lead to a user, to the next coordinator in turn, or to nobody (assignee_id None)."""
    ensure_open(lead)
    if round_robin:
        user = next_coordinator()
        if user is None:
            raise ActionError("There is no active coordinator to assign to.")
        user.last_assigned_at = utcnow()
    elif assignee_id is None:
        user = None
    else:
        user = db.session.get(User, assignee_id)
        if user is None or not user.active or user.role not in set(Role):
            raise ActionError("Choose an active user to assign the lead to.")
    if (user.id if user else None) == lead.assignee_id:
        raise ActionError("The lead is already assigned that way.")
    lead.assignee_id = user.id if user else None
    record_event(
        lead.id, EventKind.ASSIGNED, actor_id=actor.id, assignee_id=lead.assignee_id, round_robin=round_robin
    )
    record_audit(AuditAction.LEAD_ASSIGNED, "lead", lead.id, actor=actor, assignee_id=lead.assignee_id)
    db.session.commit()
    return user


def add_note(lead: Lead, body: str, actor: User) -> None:
    ensure_open(lead)
    body = (body or "").strip()
    if not body:
        raise ActionError("The note is empty.")
    if len(body) > NOTE_MAX:
        raise ActionError(f"A note can be at most {NOTE_MAX} characters.")
    record_event(lead.id, EventKind.NOTE, actor_id=actor.id, body=body)
    db.session.commit()


def log_call(lead: Lead, outcome: str, notes: str, actor: User, now: datetime | None = None) -> None:
    """A call attempt counts as contact (the first-response target is about trying, not reaching)."""
    ensure_open(lead)
    if outcome not in CALL_OUTCOMES:
        raise ActionError("Choose how the call went.")
    notes = (notes or "").strip()
    if len(notes) > NOTE_MAX:
        raise ActionError(f"Call notes can be at most {NOTE_MAX} characters.")
    _mark_contacted(lead, now or utcnow())
    record_event(lead.id, EventKind.CALL_LOGGED, actor_id=actor.id, outcome=outcome, notes=notes)
    db.session.commit()


def unsubscribe(lead: Lead, actor: User, now: datetime | None = None) -> int:
    """Stop every email to the patient (on their request by phone, say). Returns how many were cancelled."""
    ensure_open(lead)
    if lead.unsubscribed_at is not None:
        raise ActionError("The patient is already unsubscribed.")
    lead.unsubscribed_at = now or utcnow()
    cancelled = outbox.cancel_pending(lead.id, kinds=PATIENT_KINDS)
    record_event(lead.id, EventKind.UNSUBSCRIBED, actor_id=actor.id, cancelled_emails=cancelled)
    record_audit(AuditAction.LEAD_UNSUBSCRIBED, "lead", lead.id, actor=actor)
    db.session.commit()
    return cancelled


def resend_email(lead: Lead, email_id: int, actor: User) -> OutboundEmail:
    """Queue a failed email of this lead again, then tell a worker (after the commit)."""
    ensure_open(lead)
    email = db.session.get(OutboundEmail, email_id)
    if email is None or email.lead_id != lead.id:
        raise ActionError("That email does not belong to this lead.")
    if email.status != EmailStatus.FAILED:
        raise ActionError("Only a failed email can be sent again.")
    if lead.unsubscribed_at is not None and email.kind in PATIENT_KINDS:
        raise ActionError("The patient unsubscribed; no more emails go to them.")
    outbox.resend(email_id)
    record_event(lead.id, EventKind.EMAIL_RESENT, actor_id=actor.id, email_id=email_id, email_kind=email.kind)
    record_audit(AuditAction.EMAIL_RESENT, "email", email_id, actor=actor, lead_id=lead.id)
    db.session.commit()
    outbox.publish([email_id])
    return email
