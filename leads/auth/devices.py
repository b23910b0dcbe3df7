"""Device cookies (OWASP's answer to lockout abuse): a browser that once logged in to an account
gets a signed cookie naming that account and a random device id. With it, the login throttle counts
only this device's own failures, so an attacker elsewhere who fills the account-wide or address-wide
counters cannot lock the real user out of their own browser.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from leads.signing import serializer

MAX_AGE_SECONDS = 180 * 24 * 3600
SALT = "login-device"


def account_key(email: str) -> str:
    """The throttle's name for an account: a hash, never the email itself."""
    return hashlib.sha256(email.encode()).hexdigest()[:32]


def cookie_name() -> str:
    # The __Host- prefix pins the cookie to this exact host over HTTPS, like the session cookie.
    return "__Host-login-device" if current_app.config["PRODUCTION"] else "login-device"


def _serializer() -> URLSafeTimedSerializer:
    return serializer(SALT)


def trusted_device(email: str) -> str | None:
    """The device id when this browser's cookie was issued for `email` (and is genuine and recent)."""
    raw = request.cookies.get(cookie_name(), "")
    if not raw or len(raw) > 500:
        return None
    try:
        data = _serializer().loads(raw, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != account_key(email):
        return None
    device = data.get("d")
    return device if isinstance(device, str) else None


def remember_device(response: Response, email: str) -> Response:
    """After a successful login: mark this browser as one the account's owner uses."""
    value = _serializer().dumps({"a": account_key(email), "d": secrets.token_urlsafe(16)})
    response.set_cookie(
        cookie_name(),
        value,
        max_age=MAX_AGE_SECONDS,
        path="/",
        secure=current_app.config["PRODUCTION"],
        httponly=True,
        samesite="Lax",
    )
    return response
