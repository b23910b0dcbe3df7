"""Turning an outbox row into a subject, a text body and an HTML body.

Patient emails carry the person's name, the treatment and links, never health details:
no symptoms, no message, no answers. Rendering needs an app context, not a request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l

from leads import links
from leads.clinic.identity import clinic
from leads.consultations.emails import KINDS as CONSULTATION_KINDS
from leads.consultations.emails import consultation_context
from leads.conversations.compose import message_context
from leads.dashboard.business_time import urgent_response_due
from leads.dashboard.formatting import stamp
from leads.extensions import db
from leads.i18n import SOURCE_LANGUAGE, in_language, supported
from leads.inbound.address import reply_address
from leads.models import EmailKind, Inquiry, Lead, LeadEvent, OutboundEmail
from leads.models.outbox import PATIENT_KINDS
from leads.notifications import notice_context
from leads.questionnaire import conditions
from leads.questionnaire.questions import red_flag_label
from leads.timeline import EventKind, recorded_for_inquiry

# Looked up in the catalogue when rendered, in the email's language.
_SUBJECTS = {
    EmailKind.CONFIRMATION: _l("We received your inquiry about %(treatment)s"),
    EmailKind.QUESTIONNAIRE: _l("A few questions about your inquiry - %(clinic)s"),
    EmailKind.REMINDER: _l("Reminder: your questionnaire from %(clinic)s"),
    EmailKind.URGENT_ALERT: _l("Urgent lead #%(lead_id)s: red flag reported"),
    EmailKind.DIGEST: _l("Daily digest: %(new_count)s new, %(unanswered_count)s unanswered leads"),
    # Coordinators' notices stay in English; a coordinator's message and consultations carry
    # their own subject (written by the coordinator, or built in the patient's language).
    EmailKind.COORDINATOR_MESSAGE: "%(message_subject)s",
    EmailKind.LEAD_NOTICE: _l("New inquiry: lead #%(lead_id)s"),
    EmailKind.REPLY_NOTICE: _l("The patient replied: lead #%(lead_id)s"),
    EmailKind.CONSULTATION_INVITE: "%(consultation_subject)s",
    EmailKind.CONSULTATION_CANCEL: "%(consultation_subject)s",
    EmailKind.CONSULTATION_REMINDER: "%(consultation_subject)s",
}


@dataclass(frozen=True)
class Rendered:
    to_name: str
    to_address: str
    subject: str
    text: str
    html: str
    # Set on patient emails: goes into List-Unsubscribe as well as the body.
    unsubscribe_url: str | None = None
    # An iCalendar invitation (bytes) and its iTIP method (REQUEST or CANCEL), attached when set.
    calendar: bytes | None = None
    calendar_method: str = "REQUEST"
    # Patient emails: the signed per-lead reply address (when REPLY_DOMAIN is set).
    reply_to: str | None = None
    # The body's language (Content-Language): the inquiry's for patients, English for staff.
    language: str = SOURCE_LANGUAGE


def one_line(value: str) -> str:
    """Collapse every run of whitespace (CR/LF included) to one space: header-safe text."""
    return re.sub(r"\s+", " ", value or "").strip()


def first_name(full_name: str) -> str:
    return one_line(full_name).split(" ")[0] if one_line(full_name) else ""


def _patient_context(
    email: OutboundEmail, lead: Lead, inquiry: Inquiry | None, resubscribed: bool | None
) -> dict:
    context = {
        "first_name": first_name(lead.full_name),
        "full_name": one_line(lead.full_name),
        "treatment": one_line(inquiry.article.title) if inquiry and inquiry.article else "",
        "unsubscribe_url": links.unsubscribe_url(lead.id),
        "reminder_number": email.sequence,
        # The lead's stored way, not the inquiry's: anyone can post an inquiry with this address,
        # and the lead keeps its details until a coordinator accepts new ones.
        "preferred_contact": lead.preferred_contact,
    }
    if email.kind == EmailKind.CONFIRMATION and inquiry is not None:
        # Told here, to the address's owner, and not on the thanks page anyone can reach.
        if resubscribed is None:
            resubscribed = recorded_for_inquiry(lead.id, EventKind.RESUBSCRIBED, inquiry.id)
        context["resubscribed"] = resubscribed
    if email.kind != EmailKind.CONFIRMATION and inquiry is not None:
        context["questionnaire_url"] = links.questionnaire_url(inquiry.id)
        context["ttl_days"] = current_app.config["QUESTIONNAIRE_TTL_DAYS"]
    return context


def _alert_context(lead: Lead) -> dict:
    # The latest red flag on the timeline, not the latest stored answers: a red flag is acted on
    # before the rest of the questionnaire is answered (questionnaire.service.record_red_flags).
    event = db.session.scalar(
        db.select(LeadEvent)
        .where(LeadEvent.lead_id == lead.id, LeadEvent.kind == EventKind.RED_FLAG)
        .order_by(LeadEvent.created_at.desc(), LeadEvent.id.desc())
        .limit(1)
    )
    data = event.data if event is not None and isinstance(event.data, dict) else {}
    profile = data.get("profile")
    condition = conditions.get(profile or conditions.STENOSIS) if event is not None else None
    due = urgent_response_due(lead)
    return {
        "lead_id": lead.id,
        "lead_url": links.lead_url(lead.id),
        # The deadline the inbox shows for this lead; none once someone has contacted the patient.
        "due": stamp(due) if due else None,
        # The screen's wording, so the coordinator reads what the patient answered "yes" to.
        # Worded by the condition profile the patient answered (answers before profiles: stenosis).
        "red_flags": [red_flag_label(flag, profile) for flag in data.get("flags", [])],
        "condition": condition.name if condition else "",
    }


def render_email(
    email: OutboundEmail, recipient: str, context: dict | None = None, resubscribed: bool | None = None
) -> Rendered:
    """Render row `email` for `recipient`; `context` carries kind-specific values (e.g. the digest's).

    `resubscribed` (a confirmation's inquiry re-opted the lead in) is looked up when not given;
    a batch reads it for all its rows at once.
    """
    lead = email.lead
    inquiry = db.session.get(Inquiry, email.inquiry_id) if email.inquiry_id else None
    values = {
        "clinic": current_app.config["CLINIC_NAME"],
        # Name, address, phone and privacy notice for the footer; links absolute (no page to be relative to).
        "clinic_info": clinic(absolute=True),
        "kind": email.kind,
        **(context or {}),
    }
    to_name = ""
    language = SOURCE_LANGUAGE
    if email.kind in PATIENT_KINDS:
        values |= _patient_context(email, lead, inquiry, resubscribed)
        to_name = values["full_name"]
        language = patient_language(lead, inquiry)
    with in_language(language):
        # Inside the language: a consultation's subject is worded in the patient's language.
        if email.kind == EmailKind.COORDINATOR_MESSAGE:
            values |= message_context(email.id)
        elif email.kind in CONSULTATION_KINDS:
            values |= consultation_context(email, recipient)
        elif email.kind in (EmailKind.LEAD_NOTICE, EmailKind.REPLY_NOTICE):
            values |= notice_context(email)
        elif email.kind == EmailKind.URGENT_ALERT:
            values |= _alert_context(lead)
        subject = one_line(str(_SUBJECTS[EmailKind(email.kind)]) % values)
        values["subject"] = subject
        return Rendered(
            to_name=to_name,
            to_address=recipient,
            subject=subject,
            text=render_template(f"emails/{email.kind}.txt", **values),
            html=render_template(f"emails/{email.kind}.html", **values),
            unsubscribe_url=values.get("unsubscribe_url"),
            calendar=values.get("ics"),
            calendar_method=values.get("ics_method", "REQUEST"),
            reply_to=reply_address(lead.id) if email.kind in PATIENT_KINDS else None,
            language=language,
        )


def patient_language(lead: Lead, inquiry: Inquiry | None) -> str:
    """What is sent about an inquiry speaks its article's language; else the lead's latest."""
    article_language = inquiry.article.language if inquiry is not None and inquiry.article else None
    return supported(article_language) or supported(lead.language) or current_app.config["DEFAULT_LANGUAGE"]
