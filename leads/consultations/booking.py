"""Book, reschedule and cancel a consultation. Each is one unit of work: it checks, writes the
consultation, owes the patient's emails in the outbox, records the timeline and the audit log,
and commits; then it tells a worker about what is due now or very soon."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from leads.audit.service import AuditAction, record_audit
from leads.consultations.emails import KEY_PREFIX
from leads.dashboard import actions
from leads.dashboard.actions import ActionError, ensure_open
from leads.dashboard.pipeline import TransitionError, check_transition
from leads.extensions import db
from leads.mail import outbox
from leads.mail.delivery import sender_address
from leads.models import (
    Consultation,
    EmailKind,
    EmailStatus,
    Lead,
    LeadStatus,
    OutboundEmail,
    Place,
    Role,
    User,
)
from leads.models.base import utcnow
from leads.timeline import EventKind, record_event

MINUTES = (15, 30, 45, 60, 90)


def _key(consultation: Consultation, kind: str) -> str:
    """The outbox row's idempotency key; it names the consultation (emails.consultation_for reads it)."""
    return f"{KEY_PREFIX}{consultation.id}:{kind}:{consultation.sequence}"


def _location(place: str) -> str:
    config = current_app.config
    if place == Place.CLINIC:
        return config["CLINIC_ADDRESS"] or config["CLINIC_NAME"]
    if place == Place.VIDEO:
        if not config["CONSULTATION_VIDEO_LINK"]:
            raise ActionError("No video link is configured (CONSULTATION_VIDEO_LINK); book at the clinic.")
        return config["CONSULTATION_VIDEO_LINK"]
    raise ActionError("Choose where the consultation takes place.")


def _check_time(starts_at: datetime, minutes: int, now: datetime) -> None:
    if minutes not in MINUTES:
        raise ActionError("Choose the consultation's length.")
    if starts_at <= now:
        raise ActionError("The consultation must start in the future.")


def _coordinator(coordinator_id: int) -> User:
    user = db.session.get(User, coordinator_id)
    if user is None or not user.active or user.role not in set(Role):
        raise ActionError("Choose an active coordinator for the consultation.")
    return user


def _owe(consultation: Consultation, kind: str, due_at: datetime) -> OutboundEmail:
    return outbox.owe(
        kind, _key(consultation, kind), due_at, consultation.lead_id, sequence=consultation.sequence
    )


def _owe_reminder(consultation: Consultation, now: datetime) -> list[OutboundEmail]:
    due = consultation.starts_at - timedelta(hours=current_app.config["CONSULTATION_REMINDER_HOURS"])
    # Booked closer than that: the invitation is reminder enough.
    return [_owe(consultation, EmailKind.CONSULTATION_REMINDER, due)] if due > now else []


def _cancel_pending(consultation: Consultation) -> None:
    """The consultation's unsent emails (an old reminder, an invitation not yet out) are stale now."""
    db.session.execute(
        sa.update(OutboundEmail)
        .where(
            OutboundEmail.idempotency_key.like(f"{KEY_PREFIX}{consultation.id}:%"),
            OutboundEmail.status == EmailStatus.PENDING,
        )
        .values(status=EmailStatus.CANCELLED),
        execution_options={"synchronize_session": False},
    )


def _publish(rows: list[OutboundEmail], now: datetime) -> None:
    outbox.publish(outbox.due_now(rows, now))
    for email_id, at in outbox.due_soon(rows, now):
        outbox.publish_at(email_id, at)


def _usable(lead: Lead) -> None:
    ensure_open(lead)
    if lead.unsubscribed_at is not None:
        raise ActionError("The patient unsubscribed: no invitation can be sent. Book by phone instead.")


def book(
    lead: Lead,
    starts_at: datetime,
    minutes: int,
    place: str,
    coordinator_id: int,
    actor: User,
    now: datetime | None = None,
) -> Consultation:
    """Book; the patient gets the invitation now and the reminder later; the lead moves to consultation booked."""
    _usable(lead)
    now = now or utcnow()
    _check_time(starts_at, minutes, now)
    location = _location(place)
    coordinator = _coordinator(coordinator_id)
    moves = lead.status != LeadStatus.CONSULTATION_BOOKED
    if moves:
        try:
            check_transition(lead.status, LeadStatus.CONSULTATION_BOOKED, None)
        except TransitionError as error:
            raise ActionError(str(error)) from error
    domain = sender_address().domain
    consultation = Consultation(
        lead_id=lead.id,
        uid=f"consultation-{secrets.token_hex(12)}@{domain}",
        starts_at=starts_at,
        minutes=minutes,
        place=place,
        location=location,
        coordinator_id=coordinator.id,
    )
    db.session.add(consultation)
    db.session.flush()
    rows = [_owe(consultation, EmailKind.CONSULTATION_INVITE, now), *_owe_reminder(consultation, now)]
    record_event(
        lead.id,
        EventKind.CONSULTATION_BOOKED,
        actor_id=actor.id,
        consultation_id=consultation.id,
        starts_at=starts_at.isoformat(),
        minutes=minutes,
        place=place,
    )
    record_audit(
        AuditAction.CONSULTATION_BOOKED, "lead", lead.id, actor=actor, consultation_id=consultation.id
    )
    if moves:
        actions.change_status(lead, LeadStatus.CONSULTATION_BOOKED, actor, now=now)  # commits it all
    else:
        db.session.commit()
    _publish(rows, now)
    return consultation


def _open_consultation(lead: Lead, consultation_id: int) -> Consultation:
    _usable(lead)
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None or consultation.lead_id != lead.id:
        raise ActionError("That consultation does not belong to this lead.")
    if consultation.cancelled_at is not None:
        raise ActionError("That consultation was cancelled.")
    return consultation


def reschedule(
    lead: Lead,
    consultation_id: int,
    starts_at: datetime,
    minutes: int,
    actor: User,
    now: datetime | None = None,
) -> Consultation:
    """Move it: same UID, higher SEQUENCE; the patient gets the update and a new reminder."""
    now = now or utcnow()
    consultation = _open_consultation(lead, consultation_id)
    _check_time(starts_at, minutes, now)
    if (starts_at, minutes) == (consultation.starts_at, consultation.minutes):
        raise ActionError("That is the time already booked.")
    _cancel_pending(consultation)
    previous = consultation.starts_at
    consultation.starts_at, consultation.minutes = starts_at, minutes
    consultation.sequence += 1
    rows = [_owe(consultation, EmailKind.CONSULTATION_INVITE, now), *_owe_reminder(consultation, now)]
    record_event(
        lead.id,
        EventKind.CONSULTATION_RESCHEDULED,
        actor_id=actor.id,
        consultation_id=consultation.id,
        starts_at=starts_at.isoformat(),
        previous=previous.isoformat(),
        minutes=minutes,
    )
    record_audit(
        AuditAction.CONSULTATION_CHANGED, "lead", lead.id, actor=actor, consultation_id=consultation.id
    )
    db.session.commit()
    _publish(rows, now)
    return consultation


def cancel(lead: Lead, consultation_id: int, actor: User, now: datetime | None = None) -> Consultation:
    """Cancel: the patient's calendar gets METHOD:CANCEL (same UID, higher SEQUENCE); no reminder goes."""
    now = now or utcnow()
    consultation = _open_consultation(lead, consultation_id)
    _cancel_pending(consultation)
    consultation.cancelled_at = now
    consultation.sequence += 1
    rows = [_owe(consultation, EmailKind.CONSULTATION_CANCEL, now)]
    record_event(
        lead.id, EventKind.CONSULTATION_CANCELLED, actor_id=actor.id, consultation_id=consultation.id
    )
    record_audit(
        AuditAction.CONSULTATION_CHANGED,
        "lead",
        lead.id,
        actor=actor,
        consultation_id=consultation.id,
        cancelled=True,
    )
    db.session.commit()
    _publish(rows, now)
    return consultation


def lead_consultations(lead_id: int) -> list[Consultation]:
    return list(
        db.session.scalars(
            sa.select(Consultation).where(Consultation.lead_id == lead_id).order_by(Consultation.starts_at)
        )
    )
