"""The audit log, for admins to read and filter. There is no route that edits it."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from leads.audit.forms import AuditFilterForm
from leads.audit.labels import action_label
from leads.audit.query import audit_page
from leads.auth.guards import require_admin

bp = Blueprint("audit", __name__, url_prefix="/dashboard/audit")
bp.before_request(require_admin)

PAGE_SIZE = 50


@bp.get("/")
def index():
    form = AuditFilterForm(request.args)
    form.validate()
    before = None if form.before.errors else form.before.data
    page = audit_page(form.filters(), before=before, limit=PAGE_SIZE)
    # The next page keeps every filter; only `before` changes.
    args = {key: value for key, value in request.args.items() if key != "before" and value}
    return render_template("audit/index.html", form=form, page=page, args=args, action_label=action_label)
