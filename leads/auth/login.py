"""The login flow: check credentials under the throttle, open and close server-side sessions."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import request, session
from flask_login import login_user, logout_user

from leads.audit.service import AuditAction, record_audit
from leads.auth import throttle
from leads.auth.accounts import AccountError, find_user, normalize_email, set_password
from leads.auth.devices import trusted_device
from leads.auth.passwords import (
    burn_verify_time,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from leads.auth.sessions import begin_session, revoke_session
from leads.extensions import db
from leads.models import User
from leads.models.base import utcnow

DEFAULT_NEXT = "/dashboard/"


@dataclass(frozen=True)
class LoginResult:
    user: User | None = None
    retry_after_seconds: int | None = None
    # What to show the person when the attempt did not go through (a password change).
    problem: str | None = None

    @property
    def throttled(self) -> bool:
        return self.retry_after_seconds is not None

    @property
    def retry_after_minutes(self) -> int:
        return max(1, -(-(self.retry_after_seconds or 0) // 60))


def _attempted(email: str) -> dict:
    """Who a failed attempt named: the account when it exists. What was typed for an
    unknown account is kept only as a short hash (it links repeated attempts), since
    people type passwords into the email field too."""
    if find_user(email) is not None:
        return {"actor_email": email}
    return {"attempted_account": "unknown", "attempt_hash": hashlib.sha256(email.encode()).hexdigest()[:12]}


def authenticate(email: str, password: str) -> LoginResult:
    """Check a login attempt and audit it; commits, so failures are recorded even if nothing follows."""
    email = normalize_email(email)[:320]
    ip = request.remote_addr or "unknown"
    user = find_user(email)
    device = trusted_device(user)
    wait = throttle.login_retry_after(email, ip, device)
    if wait is not None:
        record_audit(AuditAction.LOGIN_THROTTLED, actor=None, **_attempted(email))
        db.session.commit()
        return LoginResult(retry_after_seconds=wait)

    if user is None:
        # The same Argon2 work as a real check, so response time does not tell which emails exist.
        burn_verify_time(password)
        ok = False
    else:
        ok = verify_password(user.password_hash, password) and user.active
    if not ok:
        throttle.note_login_failure(email, ip, device)
        record_audit(
            AuditAction.LOGIN_FAILED, "user", user.id if user else None, actor=None, **_attempted(email)
        )
        db.session.commit()
        return LoginResult()

    throttle.note_login_success(email, ip, device)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return LoginResult(user=user)


def start_session(user: User) -> None:
    """A brand-new session for `user`: nothing from the anonymous session survives (no fixation)."""
    session.clear()
    begin_session(user)
    login_user(user)
    user.last_login_at = utcnow()
    record_audit(AuditAction.LOGIN_SUCCEEDED, "user", user.id, actor=user)
    db.session.commit()


def end_session(user: User | None) -> None:
    """Revoke the server-side session, so a copied cookie stops working too."""
    if user is not None and user.is_authenticated and user.session_token:
        revoke_session(user.session_token)
        record_audit(AuditAction.LOGOUT, "user", user.id, actor=user)
        db.session.commit()
    logout_user()
    session.clear()


def change_own_password(user: User, current: str, new: str) -> LoginResult:
    """Replace the logged-in user's password; `.problem` says what to show, None when done.

    The current password is a password guess like a login's: it counts against the same throttle
    and is audited the same way. Everything that does not depend on it is checked first, so the
    only answer a guess can change is "not correct" (a new password equal to the guess is refused
    without looking at the stored one). Every other login of the account ends; this one stays.
    """
    if new == current:
        return LoginResult(problem="Choose a password different from the current one.")
    if problem := password_problem(new):
        return LoginResult(problem=problem)
    ip = request.remote_addr or "unknown"
    device = trusted_device(user)
    wait = throttle.login_retry_after(user.email, ip, device)
    if wait is not None:
        record_audit(AuditAction.PASSWORD_CHANGE_THROTTLED, "user", user.id, actor=user)
        db.session.commit()
        return LoginResult(retry_after_seconds=wait)
    if not verify_password(user.password_hash, current):
        throttle.note_login_failure(user.email, ip, device)
        record_audit(AuditAction.PASSWORD_CHANGE_FAILED, "user", user.id, actor=user)
        db.session.commit()
        return LoginResult(problem="Your current password is not correct.")
    throttle.note_login_success(user.email, ip, device)
    try:
        set_password(user, new, actor=user, via="self", keep_session_token=user.session_token)
    except AccountError as error:
        return LoginResult(problem=str(error))
    db.session.commit()
    return LoginResult(user=user)


def safe_next(target: str | None) -> str:
    """`target` when it is a path on this site, else the dashboard (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return DEFAULT_NEXT
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return DEFAULT_NEXT
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return DEFAULT_NEXT
    return target
