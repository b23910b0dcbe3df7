"""Absolute links that go into emails, built without a request (workers have none)."""

from __future__ import annotations

from flask import current_app

from leads.tokens import make_token

QUESTIONNAIRE = "questionnaire"
UNSUBSCRIBE = "unsubscribe"


def base_url() -> str:
    config = current_app.config
    return config["PUBLIC_BASE_URL"] or f"http://{config['HOST']}:{config['PORT']}"


def questionnaire_url(inquiry_id: int) -> str:
    return f"{base_url()}/q/{make_token(QUESTIONNAIRE, inquiry_id)}"


def unsubscribe_url(lead_id: int) -> str:
    return f"{base_url()}/unsubscribe/{make_token(UNSUBSCRIBE, lead_id)}"


def lead_url(lead_id: int) -> str:
    """The dashboard page of a lead (coordinators log in to see it)."""
    return f"{base_url()}/dashboard/leads/{lead_id}"
