"""Test helpers shared by several areas."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, template_rendered

from leads.auth.sessions import begin_session
from leads.extensions import db
from leads.models import User


def log_in(client, user: User) -> str:
    """Log `user` in on `client` without the login form (login itself is tested in tests/auth)."""
    token = begin_session(user)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return token


# What APP_ENV=production needs besides the secrets: who the clinic is (leads/config.py).
# What production needs besides the clinic's details: secrets, a database, Redis and its address.
PRODUCTION_SERVICES = {
    "APP_ENV": "production",
    "SECRET_KEY": "x" * 40,
    "DATABASE_URL": "postgresql://h/db",
    "REDIS_URL": "redis://redis:6379/0",
    "PUBLIC_BASE_URL": "https://clinic.example",
}
PRODUCTION_CLINIC = {
    "MAIL_DEFAULT_SENDER": "Example Clinic <care@clinic.example>",
    "CLINIC_NAME": "Example Clinic",
    "CLINIC_ADDRESS": "1 Example Street; Springfield 12345",
    "CLINIC_PHONE": "+1 555 010 0000",
    "PRIVACY_NOTICE_URL": "https://clinic.example/privacy",
}


@contextmanager
def rendered(app: Flask) -> Iterator[list[str]]:
    """The names of the templates the app renders inside the block, in order."""
    names: list[str] = []

    def record(_sender, template, context, **_extra):
        names.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(record, app)
