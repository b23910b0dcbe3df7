"""Routes of the API: thin; the work is in leads/api/inquiries.py."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import BadRequest, HTTPException

from leads.api import openapi
from leads.api.cors import add_cors_headers
from leads.api.inquiries import MALFORMED, TOO_DEEP, receive
from leads.api.keys import find_key
from leads.api.problems import Problem, from_problem, problem_response
from leads.extensions import csrf, db, limiter
from leads.models import ApiKey
from leads.models.base import utcnow

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# JSON only, no cookies used: a cross-site form cannot send application/json without CORS.
csrf.exempt(bp)
bp.after_request(add_cors_headers)


def current_key() -> ApiKey | None:
    """The active API key of the request (Authorization: Bearer …), looked up once."""
    # Kept on the request (the rate limits ask before the view does), not on `g`, which an
    # app context shared by several requests would carry over.
    if "leads.api_key" not in request.environ:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        request.environ["leads.api_key"] = find_key(token.strip()) if scheme.lower() == "bearer" else None
    return request.environ["leads.api_key"]


def _key_limit() -> str:
    return current_app.config["API_KEY_RATE_LIMIT"]


def _client_limit() -> str:
    return current_app.config["API_CLIENT_RATE_LIMIT"]


def _key_id() -> str:
    key = current_key()
    return f"api-key:{key.id}" if key else "api-key:none"


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document())


@bp.post("/inquiries")
@limiter.limit(_key_limit, key_func=_key_id, exempt_when=lambda: current_key() is None)
@limiter.limit(_client_limit, key_func=get_remote_address, exempt_when=lambda: current_key() is not None)
def create_inquiry():
    if request.headers.get("Authorization") and current_key() is None:
        return problem_response(
            401, "The API key is not valid or was revoked.", "Invalid API key", {"WWW-Authenticate": "Bearer"}
        )
    if not request.is_json:
        return problem_response(415, "Send the inquiry as application/json.", "Unsupported media type")
    try:
        payload = request.get_json()
    except BadRequest:
        return problem_response(400, "The body is not valid JSON.", MALFORMED)
    except RecursionError:  # the parser's answer to `[[[[…` a thousand deep
        return problem_response(400, TOO_DEEP, MALFORMED)
    key = current_key()
    if key is not None:
        key.last_used_at = utcnow()
        db.session.commit()
    scope = f"key:{key.id}" if key else f"client:{get_remote_address()}"
    answer = receive(payload, scope, request.headers.get("Idempotency-Key"))
    return jsonify(answer.body), answer.status


@bp.errorhandler(Problem)
def problem(error: Problem):
    return from_problem(error)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    headers = {}
    if error.code == 429:
        headers["Retry-After"] = "60"
    return problem_response(error.code or 500, headers=headers)
