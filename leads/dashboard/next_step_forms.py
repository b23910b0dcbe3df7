"""The form that sets a next step (on one lead, or on many from the inbox)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TimeField
from wtforms.validators import InputRequired, Length, Optional

from leads.dashboard.actions import ActionError
from leads.dashboard.next_steps import DETAILS_MAX


class StepForm(FlaskForm):
    # Checked by the service, which gives the clearer message.
    kind = StringField("Next step", validators=[InputRequired(), Length(max=32)])
    details = StringField("Details", validators=[Optional(), Length(max=DETAILS_MAX)])
    due_date = DateField("Due date", validators=[InputRequired()])
    due_time = TimeField("Due time", validators=[InputRequired()])
    # A user id, or "" for whoever sets it.
    step_assignee = StringField("For", validators=[Optional(), Length(max=20)])


def assignee_choice(raw: str | None, fallback: int) -> int:
    """The chosen user id, or the person setting the step when none is chosen."""
    raw = (raw or "").strip()
    if raw == "":
        return fallback
    if raw.isascii() and raw.isdigit() and len(raw) <= 11:
        return int(raw)
    raise ActionError("Choose who does the next step.")
