"""Device cookies (OWASP's answer to lockout abuse): a browser that once logged in to an account
gets a signed cookie naming that account and a random device id. With it, the login throttle counts
only this device's own failures, so an attacker elsewhere who fills the account-wide or address-wide
counters cannot lock the real user out of their own browser.

A cookie carries the account's `device_generation`; a password change or a deactivation bumps it
(leads/auth/accounts.py), so a cookie copied before then no longer earns that exemption.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from leads.models import User
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


def trusted_device(user: User | None) -> str | None:
    """The device id when this browser's cookie was issued for `user` since its last revocation
    (and is genuine and recent)."""
    if user is None or not user.active:
        return None
    raw = request.cookies.get(cookie_name(), "")
    if not raw or len(raw) > 500:
        return None
    try:
        data = _serializer().loads(raw, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != account_key(user.email):
        return None
    if data.get("g", 0) != user.device_generation:
        return None
    device = data.get("d")
    return device if isinstance(device, str) else None


def remember_device(response: Response, user: User) -> Response:
    """After a successful login (or one's own password change): mark this browser as the owner's."""
    value = _serializer().dumps(
        {"a": account_key(user.email), "d": secrets.token_urlsafe(16), "g": user.device_generation}
    )
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
