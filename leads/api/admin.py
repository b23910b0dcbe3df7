"""Admin pages for API keys: create (the key is shown once, in the response), list, revoke."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from leads.api.keys import all_keys, create_key, revoke_key
from leads.audit.service import AuditAction, record_audit
from leads.auth.forms import ActionForm
from leads.auth.guards import require_admin
from leads.extensions import db

bp = Blueprint("api_keys", __name__, url_prefix="/dashboard/admin/api-keys")
bp.before_request(require_admin)


class ApiKeyForm(FlaskForm):
    name = StringField(
        "Who uses it",
        validators=[DataRequired("Name the sender, like “WordPress contact form”."), Length(max=100)],
    )


@bp.after_request
def no_store(response):
    # The page that shows a new key must stay out of every cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(form: ApiKeyForm, status: int = 200):
    return render_template("api/keys.html", keys=all_keys(), form=form, action_form=ActionForm()), status


@bp.get("/")
def index():
    return _page(ApiKeyForm())


@bp.post("/")
def create():
    form = ApiKeyForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    key, token = create_key(form.name.data, current_user.id)
    record_audit(AuditAction.API_KEY_CREATED, "api_key", key.id, name=key.name)
    db.session.commit()
    return render_template("api/key_created.html", key=key, token=token)


@bp.post("/<int:key_id>/revoke")
def revoke(key_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    key = revoke_key(key_id)
    if key is None:
        abort(404)
    record_audit(AuditAction.API_KEY_REVOKED, "api_key", key.id, name=key.name)
    db.session.commit()
    flash(f"The key “{key.name}” is revoked: requests with it now get 401.", "success")
    return redirect(url_for("api_keys.index"))
