"""The inbox's forms that act on many leads, and the one that saves a view. Each carries its CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from leads.dashboard.pipeline import REASON_MAX
from leads.dashboard.saved_views import NAME_MAX

ACTIONS = ("assign", "status", "step", "export")


class BulkForm(FlaskForm):
    # Which button was pressed; checked by the view.
    action = StringField("Action", validators=[Optional(), Length(max=20)])
    # "selected" (the ticked leads) or "filtered" (every lead the filters match).
    scope = StringField("Leads", validators=[Optional(), Length(max=20)])
    # The inbox's query string, to act on "all matching" and to go back to the same view.
    view = StringField("View", validators=[Optional(), Length(max=4000)])
    bulk_assignee = StringField("Assign to", validators=[Optional(), Length(max=20)])
    bulk_status = StringField("New status", validators=[Optional(), Length(max=40)])
    bulk_reason = TextAreaField("Reason", validators=[Optional(), Length(max=REASON_MAX)])


class SaveViewForm(FlaskForm):
    name = StringField("View name", validators=[DataRequired(), Length(max=NAME_MAX)])
    view = StringField("View", validators=[Optional(), Length(max=4000)])
