"""The audit log, for admins to read and filter. There is no route that edits it."""

from flask import Blueprint

from leads.auth.guards import require_admin

bp = Blueprint("audit", __name__, url_prefix="/dashboard/audit")
bp.before_request(require_admin)
