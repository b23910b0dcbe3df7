"""Server-side login sessions: the cookie carries a random token whose hash is a UserSession row."""

from __future__ import annotations

import hashlib

from flask import Flask

from leads.extensions import db, login_manager
from leads.models import User, UserSession


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def load_user(token: str) -> User | None:
    row = db.session.scalar(
        db.select(UserSession).where(
            UserSession.token_hash == hash_token(token), UserSession.revoked_at.is_(None)
        )
    )
    if row is None or not row.user.active:
        return None
    return row.user


def init_app(app: Flask) -> None:
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
