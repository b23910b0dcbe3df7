"""The keys behind every signature the app makes: SECRET_KEY signs, SECRET_KEY_FALLBACKS still verify.

Rotating the secret: set the new SECRET_KEY, move the old one to SECRET_KEY_FALLBACKS, and
questionnaire and unsubscribe links, device cookies, sessions and open forms keep working
until the old key is dropped (after the longest link lifetime, UNSUBSCRIBE_TTL_DAYS).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, current_app
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


def signing_keys(config: Mapping | None = None) -> list[str]:
    """Oldest first, current last: itsdangerous signs with the last key and accepts every one."""
    config = current_app.config if config is None else config
    return [*(config.get("SECRET_KEY_FALLBACKS") or []), config["SECRET_KEY"]]


def serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(signing_keys(), salt=salt)


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, its serializer built once per key set rather than twice a
    request (open and save). Keyed on the keys themselves: a rotation made on a running app (the
    key-rotation tests change SECRET_KEY_FALLBACKS after start-up) takes effect at the next request."""

    def __init__(self) -> None:
        self._built: tuple[tuple | None, URLSafeTimedSerializer | None] = (None, None)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        built_for, serializer = self._built  # one tuple: threads see a matching pair
        if built_for != keys:
            serializer = super().get_signing_serializer(app)
            self._built = (keys, serializer)
        return serializer


def init_app(app: Flask) -> None:
    """Flask's session cookie reads SECRET_KEY_FALLBACKS itself; Flask-WTF's CSRF token does not,
    so a form opened before the rotation would be refused after it without this."""
    app.session_interface = SessionCookies()
    if app.config.get("SECRET_KEY_FALLBACKS"):
        app.config["WTF_CSRF_SECRET_KEY"] = signing_keys(app.config)
