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
from leads.consultations import views as consultation_views  # noqa: E402, F401
from leads.conversations import views as conversation_views  # noqa: E402, F401
from leads.dashboard import (  # noqa: E402, F401
    bulk_views,
    contact_views,
    export_job_views,
    inbox_views,
    lead_rows,  # the next steps' merge and erasure receivers
    lead_views,
    next_step_views,
    stats_views,
)
from leads.inbound import views as inbound_views  # noqa: E402, F401
