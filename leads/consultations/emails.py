"""What the consultation emails say, computed at send time from the consultation as it is then."""

from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr

from babel.dates import format_datetime
from flask import current_app
from flask_babel import gettext as _

from leads.consultations.ics import build_ics
from leads.dashboard.next_steps import clinic_zone
from leads.extensions import db
from leads.i18n import current_language
from leads.models import Consultation, EmailKind, OutboundEmail, Place

KEY_PREFIX = "consultation:"
KINDS = (EmailKind.CONSULTATION_INVITE, EmailKind.CONSULTATION_CANCEL, EmailKind.CONSULTATION_REMINDER)


def consultation_for(email: OutboundEmail) -> Consultation | None:
    """The consultation an outbox row is about, read back from its key ("consultation:<id>:<kind>:<sequence>")."""
    if not email.idempotency_key.startswith(KEY_PREFIX):
        return None
    raw = email.idempotency_key[len(KEY_PREFIX) :].split(":", 1)[0]
    return db.session.get(Consultation, int(raw)) if raw.isdigit() else None


def cancel_reason(email: OutboundEmail) -> str | None:
    """Checked again at send time: a reminder for a cancelled or moved consultation must not go."""
    consultation = consultation_for(email)
    if consultation is None:
        return "no consultation"
    if email.kind == EmailKind.CONSULTATION_REMINDER:
        if consultation.cancelled_at is not None:
            return "consultation cancelled"
        if email.sequence != consultation.sequence:
            return "consultation moved"
    return None


def patient_stamp(moment: datetime) -> str:
    """The time as the patient reads it: in the clinic's zone, with day and month names and
    digits of the email's language (e.g. "Tuesday 4 March 2031, 10:00" or its Arabic form)."""
    return format_datetime(moment, "EEEE d MMMM y, HH:mm", tzinfo=clinic_zone(), locale=current_language())


def consultation_context(email: OutboundEmail, recipient: str) -> dict:
    """Subject, body values and the .ics for a consultation email (the calendar file goes as an attachment)."""
    consultation = consultation_for(email)
    if consultation is None:
        return {}
    clinic = current_app.config["CLINIC_NAME"]
    when = patient_stamp(consultation.starts_at)
    cancel = email.kind == EmailKind.CONSULTATION_CANCEL
    if cancel:
        subject = _("Cancelled: your consultation with %(clinic)s on %(when)s", clinic=clinic, when=when)
    elif email.kind == EmailKind.CONSULTATION_REMINDER:
        subject = _("Reminder: your consultation with %(clinic)s on %(when)s", clinic=clinic, when=when)
    elif consultation.sequence > 0:
        subject = _("New time for your consultation with %(clinic)s: %(when)s", clinic=clinic, when=when)
    else:
        subject = _("Your consultation with %(clinic)s: %(when)s", clinic=clinic, when=when)
    return {
        "consultation_subject": subject,
        "when": when,
        "minutes": consultation.minutes,
        "location": consultation.location,
        "is_video": consultation.place == Place.VIDEO,
        "updated": consultation.sequence > 0,
        "ics": build_ics(
            consultation, recipient, parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1], cancel
        ),
        "ics_method": "CANCEL" if cancel else "REQUEST",
    }
