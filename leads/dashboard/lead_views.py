"""The lead page and the actions on it (POST, CSRF-protected, then back to the page)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from leads.audit.service import AuditAction, record_audit
from leads.auth.guards import admin_required
from leads.consultations.booking import MINUTES, lead_consultations
from leads.conversations.context import compose_context
from leads.dashboard import actions, forms
from leads.dashboard.actions import ActionError
from leads.dashboard.business_time import is_overdue, response_due, urgent_response_due
from leads.dashboard.erasure import erase_lead
from leads.dashboard.lead_detail import load_lead_page
from leads.dashboard.merge import merge_leads
from leads.dashboard.next_steps import open_steps
from leads.dashboard.pipeline import LABELS, allowed_targets, needs_reason
from leads.dashboard.routes import bp
from leads.extensions import db
from leads.models import Lead
from leads.models.base import utcnow


def _lead_or_404(lead_id: int) -> Lead:
    lead = db.session.get(Lead, lead_id)
    if lead is None:
        abort(404)
    return lead


def _back(lead_id: int):
    """Back to the lead page, scrolled to the message that says what happened (layout.html)."""
    return redirect(url_for("dashboard.lead_page", lead_id=lead_id, _anchor="flash"), code=303)


@bp.get("/leads/<int:lead_id>")
def lead_page(lead_id: int):
    lead = _lead_or_404(lead_id)
    if lead.merged_into_id is not None:
        flash(f"Lead #{lead_id} was merged into this lead.", "info")
        return redirect(url_for("dashboard.lead_page", lead_id=lead.merged_into_id))
    # Audit first: the commit expires loaded rows, so the page's data is loaded after it.
    record_audit(AuditAction.LEAD_VIEWED, "lead", lead_id)
    db.session.commit()
    return render_lead_page(lead_id)


def render_lead_page(lead_id: int, status: int = 200, **extra: object):
    """The lead page; `extra` fills in what a refused form had (e.g. a message awaiting confirmation)."""
    page = load_lead_page(lead_id)
    now = utcnow()
    context = {
        "page": page,
        "lead": page.lead,
        "labels": LABELS,
        "targets": allowed_targets(page.lead.status),
        "needs_reason": needs_reason,
        "overdue": is_overdue(page.lead, now),
        "due": response_due(page.lead),
        "urgent_due": urgent_response_due(page.lead),
        "call_outcomes": actions.CALL_OUTCOMES,
        "steps": open_steps(lead_id),
        "consultations": lead_consultations(lead_id),
        "consultation_minutes": MINUTES,
        "now": now,
        **compose_context(page.lead, current_user, request.args.get("reply", "")),
    }
    context.update(extra)
    return render_template("dashboard/lead.html", **context), status


def _run(lead_id: int, form, action, success: str):
    """Validate the form, run the service function, and say what happened."""
    lead = _lead_or_404(lead_id)
    if not form.validate_on_submit():
        flash(forms.first_error(form), "error")
        return _back(lead_id)
    try:
        action(lead)
    except ActionError as error:
        flash(str(error), "error")
    else:
        flash(success, "success")
    return _back(lead_id)


@bp.post("/leads/<int:lead_id>/status")
def change_status(lead_id: int):
    form = forms.StatusForm()
    return _run(
        lead_id,
        form,
        lambda lead: actions.change_status(lead, form.status.data, current_user, form.reason.data),
        "Status changed.",
    )


@bp.post("/leads/<int:lead_id>/assign")
def assign(lead_id: int):
    form = forms.AssignForm()

    def run(lead: Lead) -> None:
        choice = (form.assignee.data or "").strip()
        if choice == "round_robin":
            actions.assign(lead, None, current_user, round_robin=True)
        elif choice == "":
            actions.assign(lead, None, current_user)
        elif choice.isascii() and choice.isdigit():
            actions.assign(lead, int(choice), current_user)
        else:
            raise ActionError("Choose who gets the lead.")

    return _run(lead_id, form, run, "Assignment saved.")


@bp.post("/leads/<int:lead_id>/notes")
def add_note(lead_id: int):
    form = forms.NoteForm()
    return _run(
        lead_id,
        form,
        lambda lead: actions.add_note(lead, form.body.data, current_user),
        "Note added.",
    )


@bp.post("/leads/<int:lead_id>/calls")
def log_call(lead_id: int):
    form = forms.CallForm()
    return _run(
        lead_id,
        form,
        lambda lead: actions.log_call(lead, form.outcome.data, form.notes.data, current_user),
        "Call logged.",
    )


@bp.post("/leads/<int:lead_id>/unsubscribe")
def unsubscribe(lead_id: int):
    form = forms.ConfirmForm()
    return _run(
        lead_id,
        form,
        lambda lead: actions.unsubscribe(lead, current_user),
        "The patient is unsubscribed.",
    )


@bp.post("/leads/<int:lead_id>/emails/<int:email_id>/resend")
def resend_email(lead_id: int, email_id: int):
    form = forms.ConfirmForm()
    return _run(
        lead_id,
        form,
        lambda lead: actions.resend_email(lead, email_id, current_user),
        "The email is queued again.",
    )


@bp.post("/leads/<int:lead_id>/merge")
def merge(lead_id: int):
    form = forms.MergeForm()
    lead = _lead_or_404(lead_id)
    if not form.validate_on_submit():
        flash(forms.first_error(form), "error")
        return _back(lead_id)
    target = db.session.get(Lead, form.target_id.data)
    if target is None:
        flash(f"There is no lead #{form.target_id.data}.", "error")
        return _back(lead_id)
    try:
        merge_leads(lead, target, current_user)
    except ActionError as error:
        flash(str(error), "error")
        return _back(lead_id)
    flash(f"Lead #{lead_id} was merged into this lead.", "success")
    return _back(target.id)


@bp.post("/leads/<int:lead_id>/erase")
@admin_required
def erase(lead_id: int):
    form = forms.EraseForm()
    return _run(lead_id, form, lambda lead: erase_lead(lead, current_user), "The personal data was erased.")
