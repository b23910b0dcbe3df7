"""Absolute links: in emails (built without a request; workers have none) and on our own pages.

Every absolute link starts from PUBLIC_BASE_URL, never from the Host header a request brings:
a forged Host would otherwise put an attacker's site into canonical links and redirects.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Response, current_app, request

from leads.tokens import make_token

QUESTIONNAIRE = "questionnaire"
UNSUBSCRIBE = "unsubscribe"


def base_url() -> str:
    config = current_app.config
    return config["PUBLIC_BASE_URL"] or f"http://{config['HOST']}:{config['PORT']}"


def pin_redirects_to_base_url(response: Response) -> Response:
    """An `after_request` hook: a Location built from the Host header (Werkzeug's trailing-slash
    redirect is one) is rebuilt on PUBLIC_BASE_URL; links to other sites are left alone."""
    location = response.headers.get("Location")
    if location:
        parts = urlsplit(location)
        if parts.netloc and parts.netloc == request.host:
            response.headers["Location"] = base_url() + urlunsplit(
                ("", "", parts.path, parts.query, parts.fragment)
            )
    return response


def questionnaire_url(inquiry_id: int) -> str:
    return f"{base_url()}/q/{make_token(QUESTIONNAIRE, inquiry_id)}"


def unsubscribe_url(lead_id: int) -> str:
    return f"{base_url()}/unsubscribe/{make_token(UNSUBSCRIBE, lead_id)}"


def lead_url(lead_id: int) -> str:
    """The dashboard page of a lead (coordinators log in to see it)."""
    return f"{base_url()}/dashboard/leads/{lead_id}"
