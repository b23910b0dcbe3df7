"""Signed, expiring links (questionnaire, unsubscribe): the id is bound to a purpose and cannot be altered."""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from leads.input_guard import MAX_ID
from leads.signing import serializer


class TokenInvalid(Exception):
    """The link was altered or was made for something else."""


class TokenExpired(TokenInvalid):
    """The link is genuine but too old."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    # The purpose is the salt: a questionnaire token can never unsubscribe, and vice versa.
    return serializer(f"leads.{purpose}")


def make_token(purpose: str, object_id: int) -> str:
    return _serializer(purpose).dumps(object_id)


def read_token(purpose: str, token: str, max_age_seconds: int) -> int:
    """The id inside `token`; raises TokenExpired or TokenInvalid."""
    try:
        value = _serializer(purpose).loads(token, max_age=max_age_seconds)
    except SignatureExpired as error:
        raise TokenExpired(str(error)) from None
    except BadSignature as error:
        raise TokenInvalid(str(error)) from None
    if not isinstance(value, int) or isinstance(value, bool):
        raise TokenInvalid("token does not carry an id")
    if not 1 <= value <= MAX_ID:
        # Signed but naming no row: a larger id is one the database refuses even to look up.
        raise TokenInvalid("token carries an id out of range")
    return value
