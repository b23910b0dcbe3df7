"""The audit log's filter form, read from the query string (a GET form: no CSRF needed)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import NumberRange, Optional

from leads.audit.labels import action_label
from leads.audit.query import AuditFilters, known_actions
from leads.input_guard import MAX_ID


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = SelectField("Action", validators=[Optional()])
    actor = StringField("Actor email", validators=[Optional()])
    target_type = StringField("Target type", validators=[Optional()])
    target_id = IntegerField("Target id", validators=[Optional(), NumberRange(min=0, max=MAX_ID)])
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
    hide_views = BooleanField("Hide lead views")
    before = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = [
            SelectChoice("", "Any action"),
            *(SelectChoice(a, action_label(a)) for a in known_actions()),
        ]

    def filters(self) -> AuditFilters:
        """The valid filters; a field that did not validate is ignored (its error is shown)."""

        def ok(field):
            return None if field.errors else field.data

        return AuditFilters(
            action=ok(self.action) or None,
            actor=(ok(self.actor) or "").strip()[:320] or None,
            target_type=(ok(self.target_type) or "").strip()[:40] or None,
            target_id=ok(self.target_id),
            date_from=ok(self.date_from),
            date_to=ok(self.date_to),
            hide_routine=bool(self.hide_views.data),
        )
