"""Routes of the conversation area, on the dashboard blueprint (so its login guard covers them)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from leads.auth.guards import admin_required
from leads.conversations import snippets
from leads.conversations.compose import HealthWarning, send_message
from leads.conversations.forms import ComposeForm, ReplyForm
from leads.dashboard import forms
from leads.dashboard.actions import ActionError
from leads.dashboard.lead_views import render_lead_page
from leads.dashboard.routes import bp
from leads.extensions import db
from leads.models import Lead, SavedReply


def _to_thread(lead_id: int):
    return redirect(url_for("dashboard.lead_page", lead_id=lead_id, _anchor="flash"), code=303)


@bp.post("/leads/<int:lead_id>/messages")
def write_message(lead_id: int):
    lead = db.session.get(Lead, lead_id) or abort(404)
    form = ComposeForm()
    if not form.validate_on_submit():
        flash(forms.first_error(form), "error")
        return _to_thread(lead_id)
    try:
        send_message(lead, form.subject.data, form.body.data, current_user, bool(form.health_confirmed.data))
    except HealthWarning as warning:
        # Shown again, as typed, with the words found and a box to tick: nothing is sent or lost.
        compose = {"subject": form.subject.data, "body": form.body.data}
        return render_lead_page(lead_id, 422, compose=compose, health_words=warning.words)
    except ActionError as error:
        flash(str(error), "error")
        return _to_thread(lead_id)
    flash("Message queued; it shows in the thread below.", "success")
    return _to_thread(lead_id)


def _replies_page(form: ReplyForm, editing: SavedReply | None = None, status: int = 200):
    return (
        render_template(
            "conversations/replies.html",
            replies=snippets.all_replies(),
            form=form,
            editing=editing,
            placeholders=snippets.PLACEHOLDERS,
            delete_form=forms.ConfirmForm(),
        ),
        status,
    )


@bp.get("/admin/replies")
@admin_required
def saved_replies():
    return _replies_page(ReplyForm())


# One rule for both methods: two rules on one path make werkzeug answer an out-of-range id's
# POST with 405 instead of 404.
@bp.route("/admin/replies/<int:reply_id>", methods=["GET", "POST"])
@admin_required
def edit_reply(reply_id: int):
    if request.method == "POST":
        return _save_reply(reply_id)
    reply = db.session.get(SavedReply, reply_id) or abort(404)
    return _replies_page(ReplyForm(obj=reply), reply)


@bp.post("/admin/replies")
@admin_required
def create_reply():
    return _save_reply(None)


def _save_reply(reply_id: int | None):
    form = ReplyForm()
    editing = db.session.get(SavedReply, reply_id) if reply_id else None
    if not form.validate_on_submit():
        flash(forms.first_error(form), "error")
        return _replies_page(form, editing, 422)
    try:
        snippets.save_reply(reply_id, form.title.data, form.subject.data, form.body.data)
    except ActionError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _replies_page(form, editing, 422)
    flash("Saved reply stored.", "success")
    return redirect(url_for("dashboard.saved_replies", _anchor="flash"), code=303)


@bp.post("/admin/replies/<int:reply_id>/delete")
@admin_required
def delete_reply(reply_id: int):
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        flash(forms.first_error(form), "error")
    else:
        try:
            snippets.delete_reply(reply_id)
        except ActionError as error:
            flash(str(error), "error")
        else:
            flash("Saved reply deleted.", "success")
    return redirect(url_for("dashboard.saved_replies", _anchor="flash"), code=303)
