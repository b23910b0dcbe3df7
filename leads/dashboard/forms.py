"""The dashboard's action forms: each carries its CSRF token; services re-check every rule."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from leads.dashboard.actions import NOTE_MAX
from leads.dashboard.pipeline import REASON_MAX


class StatusForm(FlaskForm):
    # Checked against the pipeline by the service, which gives the clearer message.
    status = StringField("New status", validators=[InputRequired(), Length(max=40)])
    reason = TextAreaField(
        "Reason (required for not a fit or lost)", validators=[Optional(), Length(max=REASON_MAX)]
    )


class AssignForm(FlaskForm):
    # A user id, "" for nobody, or "round_robin".
    assignee = StringField("Assign to", validators=[Optional(), Length(max=20)])


class NoteForm(FlaskForm):
    body = TextAreaField("Note", validators=[DataRequired(), Length(max=NOTE_MAX)])


class CallForm(FlaskForm):
    outcome = StringField("Outcome", validators=[InputRequired(), Length(max=40)])
    notes = TextAreaField("Call notes", validators=[Optional(), Length(max=NOTE_MAX)])


class MergeForm(FlaskForm):
    target_id = IntegerField(
        "Merge this lead into lead number", validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)]
    )


class EraseForm(FlaskForm):
    confirm = BooleanField("I understand this cannot be undone", validators=[DataRequired()])


class ConfirmForm(FlaskForm):
    """A button with nothing but the CSRF token (unsubscribe, resend)."""

    email_id = HiddenField()


def first_error(form: FlaskForm) -> str:
    for field_name, errors in form.errors.items():
        label = getattr(form, field_name).label.text if hasattr(form, field_name) else field_name
        return f"{label}: {errors[0]}"
    return "Please check the form."
