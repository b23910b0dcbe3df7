"""Probes for load balancers, compose and the proxy: `/healthz` (alive) and `/readyz` (able to serve)."""

from __future__ import annotations

from flask import Blueprint

from leads.monitoring import allowed as metrics_allowed
from leads.readiness import run_checks

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process answers; nothing else is asked, so a database outage never restarts the web."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Database, migrations, broker and outbox: 200 when all are fine, 503 naming the failure."""
    checks = run_checks()
    ready = all(check.ok for check in checks)
    # Revisions and outbox counts are for the operator (the metrics token or network), not the public.
    detailed = metrics_allowed()
    body = {
        "status": "ready" if ready else "not ready",
        "checks": {
            check.name: {"ok": check.ok, "detail": check.detail} if detailed else {"ok": check.ok}
            for check in checks
        },
    }
    # Probes must see the state now, never a cached answer.
    return body, 200 if ready else 503, {"Cache-Control": "no-store"}
