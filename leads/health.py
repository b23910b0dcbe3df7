"""Liveness for load balancers and compose health checks: the database answers."""

import sqlalchemy as sa
from flask import Blueprint

from leads.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return {"status": "database unavailable"}, 503
    return {"status": "ok"}
