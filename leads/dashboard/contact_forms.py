"""The lead page's contact forms: details checked and normalised exactly as on the public form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from leads.dashboard.pipeline import REASON_MAX
from leads.input_guard import MAX_ID
from leads.inquiries.forms import NAME_MAX, PHONE_MAX, NoControlCharacters, NormalizedContact
from leads.models import ContactMethod


class ContactForm(NormalizedContact, FlaskForm):
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


class ProposalForm(FlaskForm):
    """Accept or keep: names the inquiry whose details the coordinator saw."""

    inquiry_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])


class ResubscribeForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=REASON_MAX)])
