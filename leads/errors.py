"""Error pages: every failure a visitor can cause gets a clear answer, never a stack trace."""

import logging
import traceback

import sentry_sdk
from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from leads.logs import redact_url

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Something in that request was not right"), _l("Please go back, check the form and try again.")),
    401: (_l("Please sign in"), _l("This page needs you to sign in first.")),
    403: (_l("Not allowed"), _l("Your account cannot open this page.")),
    404: (_l("Page not found"), _l("The page you asked for does not exist or has moved.")),
    405: (_l("Not allowed"), _l("That page cannot be used this way.")),
    410: (_l("This page is no longer here"), _l("The clinic no longer publishes this article.")),
    413: (
        _l("That was too much"),
        _l("What you sent is larger than we accept. Please shorten your message."),
    ),
    429: (
        _l("Please wait a moment"),
        _l("We received several requests from you in a short time. Please wait a minute and try again."),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l("Please try again in a minute. Nothing you sent was lost."),
    ),
    503: (
        _l("We are back in a moment"),
        _l(
            "Our service is briefly unavailable and what you sent was not saved. "
            "Please go back and send it again in a minute."
        ),
    ),
}

# What a 503 asks the browser (and the proxy) to wait: a database restart takes seconds.
RETRY_AFTER_SECONDS = 30


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def render_error(code: int, title: str | None = None, detail: str | None = None):
    default_title, default_detail = MESSAGES.get(code, MESSAGES[400 if code < 500 else 500])
    title, detail = str(title or default_title), str(detail or default_detail)
    if wants_json():
        return {"error": title, "detail": detail}, code
    return render_template("errors/error.html", code=code, title=title, detail=detail), code


def _api_problem(code: int):
    """Under /api/ every error is a Problem Details document (see leads/api/problems.py)."""
    from leads.api.problems import problem_response

    return problem_response(code)


def handle_http_exception(error: HTTPException):
    if request.path.startswith("/api/"):
        response = _api_problem(error.code or 500)
        if error.code == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response
    response = render_error(error.code or 500)
    if error.code == 405 and getattr(error, "valid_methods", None):
        body, code = response
        return body, code, {"Allow": ", ".join(error.valid_methods)}
    return response


def handle_csrf_error(error: CSRFError):
    return render_error(
        400,
        _("This form has expired"),
        _(
            "For your security, forms expire after a while. Please go back, reload the page and send it again."
        ),
    )


def frames_only(error: BaseException) -> str:
    """The traceback's frames and exception types, without the messages.

    A message can quote data: a database error's carries the row's values (PostgreSQL's
    DETAIL: Key (email)=(...) already exists), and those may be names, emails or answers.
    """
    lines: list[str] = []
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        lines.extend(traceback.format_tb(link.__traceback__))
        lines.append(f"{type(link).__module__}.{type(link).__qualname__}\n")
        link = link.__cause__ or link.__context__
    return "".join(lines)


def handle_unexpected(error: Exception):
    # Where it failed and what kind of error, never a message or form value (see frames_only).
    log.error(
        "unhandled %s on %s %s\n%s",
        type(error).__name__,
        request.method,
        redact_url(request.path),
        frames_only(error),
    )
    # This handler keeps the error from Flask's own signal, so Sentry (when set up) is told here.
    sentry_sdk.capture_exception(error)
    return _api_problem(500) if request.path.startswith("/api/") else render_error(500)


def handle_database_unavailable(error: DBAPIError):
    """The database went away (a restart, a failover): 503 with Retry-After, never a 500.

    The pool drops the dead connections (leads/db_liveness.py), so the next request reconnects.
    """
    lost = isinstance(error, (OperationalError, InterfaceError)) or error.connection_invalidated
    if not lost:
        return handle_unexpected(error)
    log.warning("database unavailable on %s %s: %s", request.method, request.path, type(error.orig).__name__)
    body, code = render_error(503)
    return body, code, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def handle_pool_exhausted(error: PoolTimeout):
    """Every database connection busy for the pool's timeout: overloaded, so 503 like a restart."""
    log.warning("database connection pool exhausted on %s %s", request.method, request.path)
    body, code = render_error(503)
    return body, code, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(DBAPIError, handle_database_unavailable)
    app.register_error_handler(PoolTimeout, handle_pool_exhausted)
    app.register_error_handler(Exception, handle_unexpected)
