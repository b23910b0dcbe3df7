"""Server-side login sessions: the cookie carries a random token whose hash is a UserSession row.

Logging out revokes the row, so a copied cookie stops working; an idle session expires, and
every session ends SESSION_MAX_HOURS after its login however active it is.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy.orm import joinedload

from leads.extensions import db, login_manager
from leads.models import User, UserSession
from leads.models.base import utcnow


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def begin_session(user: User) -> str:
    """Open a login session for `user` (the caller commits) and return its token for the cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            token_hash=hash_token(token),
            user_id=user.id,
            ip_address=request.remote_addr if has_request_context() else None,
        )
    )
    user.session_token = token
    return token


def revoke_session(token: str) -> None:
    db.session.execute(
        db.update(UserSession)
        .where(UserSession.token_hash == hash_token(token), UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


@cache
def _live_session_with_user() -> sa.Select:
    """The loader's statement, with the user in the same query (every page pays for it), built
    once: SQLAlchemy keeps a statement's cache key, so a page skips rebuilding both."""
    return (
        db.select(UserSession)
        .options(joinedload(UserSession.user, innerjoin=True))
        .where(UserSession.token_hash == sa.bindparam("token_hash"), UserSession.revoked_at.is_(None))
    )


def load_user(token: str) -> User | None:
    """Flask-Login's loader: the session row must exist, be live and recently used."""
    row = db.session.scalar(_live_session_with_user(), {"token_hash": hash_token(token)})
    if row is None or not row.user.active:
        return None
    now = utcnow()
    config = current_app.config
    idle_limit = timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    max_age = timedelta(hours=config["SESSION_MAX_HOURS"])
    if now - row.last_seen_at > idle_limit or now - row.created_at > max_age:
        row.revoked_at = now
        db.session.commit()
        return None
    # Writing on every request would be wasteful; a minute's precision is enough for idling.
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
        db.session.commit()
    row.user.session_token = token
    return row.user


def forget_request_user(_error: BaseException | None = None) -> None:
    """Flask-Login caches the user on `g`, which lives as long as the app context; when one
    context serves several requests (the test client inside a pushed context), every request
    must still load its own user from its own cookie."""
    g.pop("_login_user", None)


def init_app(app: Flask) -> None:
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    app.teardown_request(forget_request_user)
