"""The lead page's contact forms: details checked and normalised exactly as on the public form."""

from __future__ import annotations

from email_validator import EmailNotValidError
from flask import current_app
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectChoice, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from leads.dashboard.pipeline import REASON_MAX
from leads.inquiries.forms import NAME_MAX, PHONE_MAX, NoControlCharacters, normalize_email, normalize_phone
from leads.models import ContactMethod


class ContactForm(FlaskForm):
    full_name = StringField(
        "Full name", validators=[DataRequired(), Length(max=NAME_MAX), NoControlCharacters()]
    )
    email = StringField("Email address", validators=[DataRequired(), Length(max=320)])
    phone = StringField("Phone", validators=[Optional(), Length(max=PHONE_MAX)])
    preferred_contact = RadioField(
        "Prefers",
        choices=[
            SelectChoice(ContactMethod.EMAIL.value, "Email"),
            SelectChoice(ContactMethod.PHONE.value, "Phone"),
        ],
        validate_choice=True,
    )

    # Set by the validators below for the service.
    normalized_email: str = ""
    normalized_phone: str | None = None

    def validate_email(self, field) -> None:
        try:
            self.normalized_email = normalize_email(field.data or "")
        except EmailNotValidError:
            raise ValidationError("Enter a valid email address, like name@example.com.") from None

    def validate_phone(self, field) -> None:
        value = (field.data or "").strip()
        if not value:
            self.normalized_phone = None
            return
        try:
            self.normalized_phone = normalize_phone(value, current_app.config["PHONE_DEFAULT_REGION"])
        except ValueError as error:
            raise ValidationError(str(error)) from None


class ProposalForm(FlaskForm):
    """Accept or keep: names the inquiry whose details the coordinator saw."""

    inquiry_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)])


class ResubscribeForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=REASON_MAX)])
