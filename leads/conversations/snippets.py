"""Saved replies: admin-managed snippets whose placeholders are rendered in Jinja's sandbox.

A snippet only ever sees plain strings (the values below) and the sandbox refuses attribute
tricks such as `''.__class__`, so a snippet cannot reach Python objects or the app's config."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from leads.dashboard.actions import ActionError
from leads.extensions import db
from leads.mail.render import first_name
from leads.models import Inquiry, Lead, SavedReply, User

PLACEHOLDERS = {
    "first_name": "The patient's first name",
    "treatment": "The treatment of the latest inquiry",
    "coordinator_name": "Your name",
    "clinic_name": "The clinic's name",
    "clinic_phone": "The clinic's phone number",
}
TITLE_MAX = 100
SUBJECT_MAX = 200
BODY_MAX = 10000

# Plain text out (the email templates escape it for HTML); an unknown placeholder is an error, not a blank.
_sandbox = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)


def render_snippet(text: str, values: dict[str, str]) -> str:
    """Fill the placeholders; any error (syntax, unknown name, refused access) is an ActionError."""
    try:
        return _sandbox.from_string(text).render(**values)
    except TemplateError as error:
        raise ActionError(
            f"The saved reply cannot be filled in: {error.message or type(error).__name__}"
        ) from None


def sample_values() -> dict[str, str]:
    return {name: f"[{name}]" for name in PLACEHOLDERS}


def values_for(lead: Lead, coordinator: User) -> dict[str, str]:
    treatment = db.session.scalar(
        sa.select(Inquiry)
        .where(Inquiry.lead_id == lead.id)
        .order_by(Inquiry.created_at.desc(), Inquiry.id.desc())
        .limit(1)
    )
    config = current_app.config
    return {
        "first_name": first_name(lead.full_name),
        "treatment": treatment.article.title if treatment and treatment.article else "",
        "coordinator_name": coordinator.full_name or coordinator.email,
        "clinic_name": config["CLINIC_NAME"],
        "clinic_phone": config["CLINIC_PHONE"],
    }


def all_replies() -> list[SavedReply]:
    return list(db.session.scalars(sa.select(SavedReply).order_by(SavedReply.title)))


def fill(reply_id: int, lead: Lead, coordinator: User) -> tuple[str, str]:
    """A saved reply's subject and body for this lead, ready to edit in the compose box."""
    reply = db.session.get(SavedReply, reply_id)
    if reply is None:
        raise ActionError("That saved reply no longer exists.")
    values = values_for(lead, coordinator)
    return render_snippet(reply.subject, values), render_snippet(reply.body, values)


def save_reply(reply_id: int | None, title: str, subject: str, body: str) -> SavedReply:
    """Create or change a saved reply; it must render with every placeholder (checked with sample values)."""
    title, subject = " ".join(title.split()), " ".join(subject.split())
    if not title or not subject or not body.strip():
        raise ActionError("A saved reply needs a title, a subject and a body.")
    if len(title) > TITLE_MAX or len(subject) > SUBJECT_MAX or len(body) > BODY_MAX:
        raise ActionError(
            f"Keep the title to {TITLE_MAX}, the subject to {SUBJECT_MAX} and the body to {BODY_MAX} characters."
        )
    render_snippet(subject, sample_values())
    render_snippet(body, sample_values())
    clash = db.session.scalar(
        sa.select(SavedReply.id).where(SavedReply.title == title, SavedReply.id != (reply_id or 0))
    )
    if clash is not None:
        raise ActionError("Another saved reply has that title.")
    reply = db.session.get(SavedReply, reply_id) if reply_id else SavedReply()
    if reply is None:
        raise ActionError("That saved reply no longer exists.")
    reply.title, reply.subject, reply.body = title, subject, body
    db.session.add(reply)
    db.session.commit()
    return reply


def delete_reply(reply_id: int) -> None:
    reply = db.session.get(SavedReply, reply_id)
    if reply is None:
        raise ActionError("That saved reply no longer exists.")
    db.session.delete(reply)
    db.session.commit()
