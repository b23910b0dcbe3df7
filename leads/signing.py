"""The keys behind every signature the app makes: SECRET_KEY signs, SECRET_KEY_FALLBACKS still verify.

Rotating the secret: set the new SECRET_KEY, move the old one to SECRET_KEY_FALLBACKS, and
questionnaire and unsubscribe links, device cookies, sessions and open forms keep working
until the old key is dropped (after the longest link lifetime, UNSUBSCRIBE_TTL_DAYS).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, current_app
from itsdangerous import URLSafeTimedSerializer


def signing_keys(config: Mapping | None = None) -> list[str]:
    """Oldest first, current last: itsdangerous signs with the last key and accepts every one."""
    config = current_app.config if config is None else config
    return [*(config.get("SECRET_KEY_FALLBACKS") or []), config["SECRET_KEY"]]


def serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(signing_keys(), salt=salt)


def init_app(app: Flask) -> None:
    """Flask's session cookie reads SECRET_KEY_FALLBACKS itself; Flask-WTF's CSRF token does not,
    so a form opened before the rotation would be refused after it without this."""
    if app.config.get("SECRET_KEY_FALLBACKS"):
        app.config["WTF_CSRF_SECRET_KEY"] = signing_keys(app.config)
