"""Admin pages: manage dashboard users."""

from flask import Blueprint

from leads.auth.guards import require_admin

bp = Blueprint("admin", __name__, url_prefix="/dashboard/admin")
bp.before_request(require_admin)
