"""Logs: one JSON object per line, each carrying the request id of what caused it.

The id comes from a sane `X-Request-ID` header (the proxy's) or is made here; the tasks a
request publishes carry it in their message headers (tasks/signals.py), so a worker's lines
about an inquiry's emails share the id of the POST that stored it. Records say ids and
kinds, never names, addresses or answers; URLs are logged with their tokens and query
strings cut out (`redact_url`), because questionnaire links hold tokens and dashboard
searches hold names and emails.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from contextvars import ContextVar

from flask import Flask, g, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's id looks like (uuid, hex, base64url): no room for an email or a sentence.
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# /q/<token>, /unsubscribe/<token> (and whatever follows), then any query string.
_TOKEN_PATH = re.compile(r"(/(?:q|unsubscribe)/)[^\s?\"]+")
# Everything from the `?` to the next space: a URL's query cannot hold a space, but it can hold a
# literal `"` (curl sends one as is), which must not end the redaction.
_QUERY = re.compile(r"\?\S*")


def redact_url(text: str) -> str:
    """A path or request line with its tokens and query string replaced by `[redacted]`."""
    return _QUERY.sub("?[redacted]", _TOKEN_PATH.sub(r"\1[redacted]", text))


def new_request_id(candidate: str | None = None) -> str:
    if candidate and _SANE_ID.fullmatch(candidate):
        return candidate
    return uuid.uuid4().hex


class RequestIdJsonFormatter(JsonFormatter):
    """JSON with a timestamp, level, logger and the current request id (None outside one)."""

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )

    def formatException(self, ei) -> str:
        """Frames and exception types only: a message may quote a row's values (leads/errors.py)."""
        from leads.errors import frames_only

        return frames_only(ei[1]) if ei and ei[1] is not None else ""

    def add_fields(self, log_record: dict, record: logging.LogRecord, message_dict: dict) -> None:
        super().add_fields(log_record, record, message_dict)
        log_record.setdefault("request_id", getattr(record, "request_id", None) or request_id_var.get())


class RedactUrls(logging.Filter):
    """For access logs: tokens and query strings never reach a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_url(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_url(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


def _handler(log_format: str) -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(RequestIdJsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    return handler


def setup_root_logging(level: str, log_format: str) -> None:
    """One handler on the root logger (replacing any), used by the web app, the worker and beat."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(_handler(log_format))
    root.setLevel(level)
    # Alembic lists its plugins at INFO on every CLI command; that is noise, not news.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def _bind_request_id() -> None:
    request_id = new_request_id(request.headers.get(REQUEST_ID_HEADER))
    g.request_id = request_id
    g.request_id_token = request_id_var.set(request_id)


def _send_request_id(response):
    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
    return response


def _unbind_request_id(_error: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        request_id_var.reset(token)


def init_app(app: Flask) -> None:
    """Request ids on every request; JSON on stderr unless debugging or testing (pytest captures)."""
    app.before_request(_bind_request_id)
    app.after_request(_send_request_id)
    app.teardown_request(_unbind_request_id)
    # The development server's access log (werkzeug) logs request lines with tokens and searches.
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(existing, RedactUrls) for existing in werkzeug_log.filters):
        werkzeug_log.addFilter(RedactUrls())
    if not app.testing:
        setup_root_logging(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
