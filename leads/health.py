"""Probes for load balancers, compose and the proxy: `/healthz` (alive) and `/readyz` (able to serve)."""

from __future__ import annotations

from flask import Blueprint

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
    body = {
        "status": "ready" if ready else "not ready",
        "checks": {check.name: {"ok": check.ok, "detail": check.detail} for check in checks},
    }
    # Probes must see the state now, never a cached answer.
    return body, 200 if ready else 503, {"Cache-Control": "no-store"}
