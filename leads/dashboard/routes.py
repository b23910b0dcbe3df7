"""Routes of the dashboard area."""

from flask import Blueprint

from leads.auth.guards import require_login

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
bp.before_request(require_login)
