"""Next steps: set and complete one on the lead page, and "My tasks"."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from leads.dashboard import forms, next_steps
from leads.dashboard.actions import ActionError
from leads.dashboard.next_step_forms import StepForm, assignee_choice
from leads.dashboard.routes import bp
from leads.extensions import db
from leads.models import Lead
from leads.models.base import utcnow

bp.add_app_template_filter(next_steps.local_stamp, "dash_local")
bp.add_app_template_filter(next_steps.title, "dash_step_title")
bp.add_app_template_global(next_steps.KIND_LABELS, "dash_step_kinds")
bp.add_app_template_global(next_steps.clinic_today, "dash_clinic_today")


def _back(lead_id: int):
    return redirect(url_for("dashboard.lead_page", lead_id=lead_id, _anchor="flash"), code=303)


@bp.post("/leads/<int:lead_id>/steps")
def add_step(lead_id: int):
    lead = db.session.get(Lead, lead_id) or abort(404)
    form = StepForm()
    if not form.validate_on_submit():
        flash(forms.first_error(form), "error")
        return _back(lead_id)
    try:
        next_steps.add_step(
            lead,
            form.kind.data,
            form.details.data,
            next_steps.local_to_utc(form.due_date.data, form.due_time.data),
            assignee_choice(form.step_assignee.data, current_user.id),
            current_user,
        )
    except ActionError as error:
        flash(str(error), "error")
    else:
        flash("Next step set.", "success")
    return _back(lead_id)


@bp.post("/leads/<int:lead_id>/steps/<int:step_id>/done")
def complete_step(lead_id: int, step_id: int):
    lead = db.session.get(Lead, lead_id) or abort(404)
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        flash(forms.first_error(form), "error")
    else:
        try:
            next_steps.complete_step(lead, step_id, current_user)
        except ActionError as error:
            flash(str(error), "error")
        else:
            flash("Next step done.", "success")
    if request.form.get("back") == "tasks":
        return redirect(url_for("dashboard.my_tasks", _anchor="flash"), code=303)
    return _back(lead_id)


@bp.get("/tasks")
def my_tasks():
    now = utcnow()
    return render_template(
        "dashboard/tasks.html", day=next_steps.my_day(current_user.id, now), now=now, form=forms.ConfirmForm()
    )
