"""The inbox's actions on many leads, and saved views (POST, CSRF-protected, then back to the inbox)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Response, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from leads.dashboard import bulk, forms, saved_views
from leads.dashboard.actions import ActionError
from leads.dashboard.bulk_forms import ACTIONS, BulkForm, SaveViewForm
from leads.dashboard.filters import InboxFilters, parse_filters
from leads.dashboard.next_step_forms import StepForm, assignee_choice
from leads.dashboard.next_steps import local_to_utc
from leads.dashboard.pagination import SORTS
from leads.dashboard.routes import bp
from leads.models.base import utcnow


@bp.context_processor
def _saved_views() -> dict:
    """The coordinator's saved views, for the navigation on every dashboard page."""
    if not current_user.is_authenticated:
        return {}
    return {"saved_views": saved_views.views_of(current_user.id)}


def _filters(raw: str | None) -> InboxFilters:
    """The inbox view the form came from (a query string); a mangled one is the plain inbox."""
    try:
        pairs = parse_qsl(raw or "", max_num_fields=50)
    except ValueError:
        pairs = []
    filters, _problems = parse_filters(MultiDict(pairs), SORTS)
    return filters


def _inbox(filters: InboxFilters):
    return redirect(url_for("dashboard.inbox", **filters.query_args(), _anchor="flash"), code=303)


def _lead_ids(form: BulkForm, filters: InboxFilters) -> list[int]:
    if form.scope.data == "filtered":
        return bulk.filtered_ids(filters, current_user.id)
    return bulk.parse_ids(request.form.getlist("lead_ids"))


def _run(action: str, form: BulkForm, ids: list[int]) -> bulk.BulkResult:
    if action == "assign":
        choice = (form.bulk_assignee.data or "").strip()
        if choice == "":
            raise ActionError("Choose who gets the leads.")
        assignee = None if choice == "nobody" else assignee_choice(choice, current_user.id)
        return bulk.bulk_assign(ids, assignee, current_user)
    if action == "status":
        return bulk.bulk_status(
            ids, (form.bulk_status.data or "").strip(), form.bulk_reason.data, current_user
        )
    step = StepForm()
    if not step.validate():
        raise ActionError(forms.first_error(step))
    due_at = local_to_utc(step.due_date.data, step.due_time.data)
    assignee = assignee_choice(step.step_assignee.data, current_user.id)
    return bulk.bulk_add_step(ids, step.kind.data, step.details.data, due_at, assignee, current_user)


DONE = {"assign": "Assigned", "status": "Status changed", "step": "Next step set"}


@bp.post("/bulk")
def bulk_action():
    form = BulkForm()
    filters = _filters(form.view.data)
    if not form.validate_on_submit():
        flash(forms.first_error(form), "error")
        return _inbox(filters)
    action = form.action.data
    try:
        if action not in ACTIONS:
            raise ActionError("Choose what to do with the leads.")
        ids = _lead_ids(form, filters)
        if action == "export":
            bulk.record_selection_export(ids)
            now = utcnow()
            return Response(
                bulk.selection_csv(ids, now),
                mimetype="text/csv",
                headers={
                    "Content-Disposition": f'attachment; filename="leads-selection-{now:%Y%m%d-%H%M}.csv"',
                    "Cache-Control": "no-store",
                },
            )
        result = _run(action, form, ids)
    except ActionError as error:
        flash(str(error), "error")
    else:
        flash(result.summary(DONE[action]), "success" if result.changed else "error")
    return _inbox(filters)


@bp.post("/views")
def save_view():
    form = SaveViewForm()
    filters = _filters(form.view.data)
    if not form.validate_on_submit():
        flash(forms.first_error(form), "error")
        return _inbox(filters)
    try:
        view = saved_views.save_view(current_user, form.name.data, filters)
    except ActionError as error:
        flash(str(error), "error")
    else:
        flash(f"View “{view.name}” saved; it is in the navigation.", "success")
    return _inbox(filters)


@bp.post("/views/<int:view_id>/delete")
def delete_view(view_id: int):
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        flash(forms.first_error(form), "error")
    else:
        try:
            saved_views.delete_view(current_user, view_id)
        except ActionError as error:
            flash(str(error), "error")
        else:
            flash("View deleted.", "success")
    return redirect(url_for("dashboard.inbox", _anchor="flash"), code=303)
