"""API keys: made by admins, shown once, stored as a SHA-256 (they are long random strings,
so a fast hash is enough: there is nothing to guess), revoked by setting `revoked_at`."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from leads.extensions import db
from leads.models import ApiKey
from leads.models.base import utcnow

# clk_<12 hex: the public prefix>_<43 url-safe characters: the secret>
_KEY = re.compile(r"clk_([0-9a-f]{12})_[A-Za-z0-9_-]{43}")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_key(name: str, created_by_id: int | None) -> tuple[ApiKey, str]:
    """The new key's row and the key itself, which is never stored and cannot be shown again."""
    prefix = secrets.token_hex(6)
    token = f"clk_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(name=name.strip(), prefix=prefix, key_hash=_digest(token), created_by_id=created_by_id)
    db.session.add(key)
    db.session.commit()
    return key, token


def prefix_of(token: str) -> str | None:
    match = _KEY.fullmatch(token)
    return match.group(1) if match else None


def find_key(token: str) -> ApiKey | None:
    """The active key this token is, or None."""
    prefix = prefix_of(token)
    if prefix is None:
        return None
    key = db.session.scalar(db.select(ApiKey).filter_by(prefix=prefix))
    if key is None or not key.active or not hmac.compare_digest(key.key_hash, _digest(token)):
        return None
    return key


def revoke_key(key_id: int) -> ApiKey | None:
    key = db.session.get(ApiKey, key_id)
    if key is not None and key.revoked_at is None:
        key.revoked_at = utcnow()
        db.session.commit()
    return key


def all_keys() -> list[ApiKey]:
    return list(db.session.scalars(db.select(ApiKey).order_by(ApiKey.created_at.desc(), ApiKey.id.desc())))
