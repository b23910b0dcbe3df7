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
from leads.dashboard.business_time import urgent_response_due
from leads.dashboard.formatting import stamp
from leads.extensions import db
from leads.i18n import SOURCE_LANGUAGE, in_language, supported
from leads.models import EmailKind, Inquiry, Lead, OutboundEmail, QuestionnaireResponse
from leads.models.outbox import PATIENT_KINDS
from leads.questionnaire import conditions
from leads.questionnaire.questions import red_flag_label

# Looked up in the catalogue when rendered, in the email's language.
_SUBJECTS = {
    EmailKind.CONFIRMATION: _l("We received your inquiry about %(treatment)s"),
    EmailKind.QUESTIONNAIRE: _l("A few questions about your inquiry - %(clinic)s"),
    EmailKind.REMINDER: _l("Reminder: your questionnaire from %(clinic)s"),
    EmailKind.URGENT_ALERT: _l("Urgent lead #%(lead_id)s: red flag reported"),
    EmailKind.DIGEST: _l("Daily digest: %(new_count)s new, %(unanswered_count)s unanswered leads"),
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
    # The body's language (Content-Language): the inquiry's for patients, English for staff.
    language: str = SOURCE_LANGUAGE


def one_line(value: str) -> str:
    """Collapse every run of whitespace (CR/LF included) to one space: header-safe text."""
    return re.sub(r"\s+", " ", value or "").strip()


def first_name(full_name: str) -> str:
    return one_line(full_name).split(" ")[0] if one_line(full_name) else ""


def _patient_context(email: OutboundEmail, lead: Lead, inquiry: Inquiry | None) -> dict:
    context = {
        "first_name": first_name(lead.full_name),
        "full_name": one_line(lead.full_name),
        "treatment": one_line(inquiry.article.title) if inquiry and inquiry.article else "",
        "unsubscribe_url": links.unsubscribe_url(lead.id),
        "reminder_number": email.sequence,
        # The way this inquiry asked to be contacted, repeated back to the patient.
        "preferred_contact": inquiry.preferred_contact if inquiry is not None else lead.preferred_contact,
    }
    if email.kind != EmailKind.CONFIRMATION and inquiry is not None:
        context["questionnaire_url"] = links.questionnaire_url(inquiry.id)
        context["ttl_days"] = current_app.config["QUESTIONNAIRE_TTL_DAYS"]
    return context


def _alert_context(lead: Lead) -> dict:
    response = db.session.scalar(
        db.select(QuestionnaireResponse)
        .where(QuestionnaireResponse.lead_id == lead.id)
        .order_by(QuestionnaireResponse.submitted_at.desc(), QuestionnaireResponse.id.desc())
        .limit(1)
    )
    due = urgent_response_due(lead)
    answers = response.answers if response is not None and isinstance(response.answers, dict) else {}
    profile = answers.get("profile")
    condition = conditions.get(profile or conditions.STENOSIS) if response is not None else None
    return {
        "lead_id": lead.id,
        "lead_url": links.lead_url(lead.id),
        # The deadline the inbox shows for this lead; none once someone has contacted the patient.
        "due": stamp(due) if due else None,
        # The screen's wording, so the coordinator reads what the patient answered "yes" to.
        # Worded by the condition profile the patient answered (answers before profiles: stenosis).
        "red_flags": [red_flag_label(flag, profile) for flag in (response.red_flags if response else [])],
        "condition": condition.name if condition else "",
    }


def render_email(email: OutboundEmail, recipient: str, context: dict | None = None) -> Rendered:
    """Render row `email` for `recipient`; `context` carries kind-specific values (e.g. the digest's)."""
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
        values |= _patient_context(email, lead, inquiry)
        to_name = values["full_name"]
        language = patient_language(lead, inquiry)
    elif email.kind == EmailKind.URGENT_ALERT:
        values |= _alert_context(lead)
    with in_language(language):
        subject = one_line(str(_SUBJECTS[EmailKind(email.kind)]) % values)
        values["subject"] = subject
        return Rendered(
            to_name=to_name,
            to_address=recipient,
            subject=subject,
            text=render_template(f"emails/{email.kind}.txt", **values),
            html=render_template(f"emails/{email.kind}.html", **values),
            unsubscribe_url=values.get("unsubscribe_url"),
            language=language,
        )


def patient_language(lead: Lead, inquiry: Inquiry | None) -> str:
    """What is sent about an inquiry speaks its article's language; else the lead's latest."""
    article_language = inquiry.article.language if inquiry is not None and inquiry.article else None
    return supported(article_language) or supported(lead.language) or current_app.config["DEFAULT_LANGUAGE"]
