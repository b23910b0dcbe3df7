"""RFC 9457 Problem Details: every API error is `application/problem+json`."""

from __future__ import annotations

from flask import Response, json

from leads.errors import MESSAGES

MEDIA_TYPE = "application/problem+json"


class Problem(Exception):
    """Raised by the API's functions; the view turns it into the response."""

    def __init__(self, status: int, detail: str | None = None, title: str | None = None, **extra) -> None:
        super().__init__(detail or title or str(status))
        self.status = status
        self.detail = detail
        self.title = title
        self.extra = extra


def problem_response(
    status: int, detail: str | None = None, title: str | None = None, headers: dict | None = None, **extra
) -> Response:
    default_title, default_detail = MESSAGES.get(status, MESSAGES[400 if status < 500 else 500])
    body = {
        "type": "about:blank",
        "title": title or default_title,
        "status": status,
        "detail": detail or default_detail,
        **extra,
    }
    response = Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_problem(error: Problem) -> Response:
    return problem_response(error.status, error.detail, error.title, **error.extra)
