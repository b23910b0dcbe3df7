"""Errors to Sentry when SENTRY_DSN is set: the web app and the Celery worker, personal data off.

Sentry must learn where it failed, never who was involved: no request bodies, cookies,
query strings, headers beyond a few harmless ones, local variables or exception messages
(a database error's message can quote a row's values; see leads/errors.py).
"""

from __future__ import annotations

from typing import Any

import sentry_sdk
from flask import Flask
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.flask import FlaskIntegration

from leads.logs import redact_url

_KEPT_HEADERS = {"host", "user-agent", "accept", "content-type", "content-length", "x-request-id"}


def scrub(event: dict[str, Any], _hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Strip whatever could carry personal data from an event before it leaves the process."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "query_string", "env"):
            request.pop(key, None)
        if isinstance(request.get("url"), str):
            request["url"] = redact_url(request["url"])
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {k: v for k, v in headers.items() if k.lower() in _KEPT_HEADERS}
    event.pop("user", None)
    for exception in (event.get("exception") or {}).get("values") or []:
        exception["value"] = ""  # the type and the frames say where; the message may quote data
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    if isinstance(event.get("transaction"), str):
        event["transaction"] = redact_url(event["transaction"])
    return event


def sentry_options(app: Flask) -> dict[str, Any]:
    return {
        "dsn": app.config["SENTRY_DSN"],
        "environment": app.config["APP_ENV"],
        "integrations": [FlaskIntegration(), CeleryIntegration()],
        # What `send_default_pii=False` meant, stated field by field: sentry-sdk 2.75 deprecates
        # that flag in favour of `data_collection` (which wins when both are given).
        "data_collection": {
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "allowlist", "terms": sorted(_KEPT_HEADERS)}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "queues": False,
            "stack_frame_variables": False,
        },
        "max_request_body_size": "never",
        "before_send": scrub,
        "traces_sample_rate": 0.0,
    }


def init_sentry(app: Flask) -> None:
    """Set up the Sentry client once per process (the worker builds the app the same way)."""
    if app.config["SENTRY_DSN"]:
        sentry_sdk.init(**sentry_options(app))
