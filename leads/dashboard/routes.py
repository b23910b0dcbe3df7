"""Routes of the dashboard area: one blueprint, its views split by page (imported below)."""

from flask import Blueprint

from leads.auth.guards import require_login
from leads.dashboard.formatting import ago, span, stamp

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
bp.before_request(require_login)
# Prefixed: template filters are app-wide.
bp.add_app_template_global(ago, "dash_ago")
bp.add_app_template_filter(span, "dash_span")
bp.add_app_template_filter(stamp, "dash_stamp")

# The view modules register themselves on `bp`.
from leads.dashboard import (  # noqa: E402, F401
    contact_views,
    export_job_views,
    inbox_views,
    lead_views,
    stats_views,
)
