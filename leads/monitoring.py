"""/metrics: the Prometheus exposition, for a bearer token or an allowed network only; request timing.

Without METRICS_TOKEN or METRICS_ALLOW_NETWORKS the page does not exist (404): counts of
inquiries and failures are the clinic's business, not the public's.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from leads import metrics
from leads.readiness import outbox_counts

bp = Blueprint("monitoring", __name__)


def access_allowed(authorization: str, remote_addr: str | None, token: str, networks: list) -> bool:
    """A matching bearer token, or a client address inside one of `networks`."""
    bearer = authorization.removeprefix("Bearer ") if authorization.startswith("Bearer ") else ""
    if token and hmac.compare_digest(bearer.encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in networks)


def allowed() -> bool:
    config = current_app.config
    return access_allowed(
        request.headers.get("Authorization", ""),
        request.remote_addr,
        config["METRICS_TOKEN"],
        config["METRICS_ALLOW_NETWORKS"],
    )


class OutboxCollector:
    """Due and overdue unsent emails, counted when Prometheus asks (one indexed query)."""

    def __init__(self, overdue_minutes: int) -> None:
        self.overdue_minutes = overdue_minutes

    def collect(self):
        try:
            due, overdue = outbox_counts(self.overdue_minutes)
        except sa.exc.SQLAlchemyError:
            return  # the database is down: /readyz says so; the scrape still serves the counters
        yield GaugeMetricFamily(metrics.OUTBOX_DUE, "Unsent emails due now", value=due)
        yield GaugeMetricFamily(
            metrics.OUTBOX_OVERDUE,
            "Unsent emails overdue by more than READY_MAX_OVERDUE_MINUTES",
            value=overdue,
        )


def exposition() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Every process's files, added up: gunicorn's workers and a worker on this host.
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        counted = generate_latest(registry)
    else:
        counted = generate_latest(REGISTRY)
    outbox = CollectorRegistry(auto_describe=False)
    outbox.register(OutboxCollector(current_app.config["READY_MAX_OVERDUE_MINUTES"]))
    return counted + generate_latest(outbox)


@bp.get("/metrics")
def metrics_page():
    if not allowed():
        abort(404)
    return Response(exposition(), mimetype=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


def _start_timer() -> None:
    g.request_started = time.perf_counter()


def _observe(response):
    started = g.get("request_started")
    endpoint = request.url_rule.endpoint if request.url_rule is not None else "unmatched"
    if started is not None:
        metrics.REQUEST_SECONDS.labels(endpoint, request.method, str(response.status_code)).observe(
            time.perf_counter() - started
        )
    if response.status_code == 429:
        metrics.rate_limited(endpoint)
    return response


def init_app(app: Flask) -> None:
    app.before_request(_start_timer)
    app.after_request(_observe)
    app.register_blueprint(bp)
