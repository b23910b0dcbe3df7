"""What every way of sending an inquiry shares: the form as the service's input, and the limits.

The article page, the embedded form and the JSON API use these, so no route imports another's.
"""

from __future__ import annotations

from flask import Response, current_app
from flask_babel import gettext as _

from leads.inquiries.forms import InquiryForm
from leads.inquiries.service import InquiryData


def inquiry_limit() -> str:
    return current_app.config["INQUIRY_RATE_LIMIT"]


def post_limit() -> str:
    return current_app.config["INQUIRY_POST_LIMIT"]


def accepted(response: Response) -> bool:
    """A stored submission (or a repeat, or a bot's) ends in the redirect to the thanks page;
    a form sent back with mistakes does not, so typing errors never use up the limit."""
    return response.status_code == 303


def inquiry_data(form: InquiryForm) -> InquiryData:
    """The validated form as the service's input, with the consent exactly as shown."""
    config = current_app.config
    return InquiryData(
        submission_id=form.submission_id.data,
        full_name=form.full_name.data.strip(),
        email=form.normalized_email,
        phone=form.normalized_phone,
        preferred_contact=form.preferred_contact.data,
        # A tampered form may repeat a symptom; each is stored once, in the order given.
        symptoms=list(dict.fromkeys(form.symptoms.data or [])),
        message=(form.message.data or "").strip(),
        # The consent in the words the patient read: the page's language.
        consent_text=_(config["CONSENT_TEXT"]),
        consent_version=config["CONSENT_VERSION"],
        **form.tracking(),
    )
