"""Account management shared by the admin pages and the `flask users` CLI. The caller commits."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from leads.audit.service import AuditAction, record_audit
from leads.auth.passwords import generate_password, hash_password, password_problem
from leads.auth.sessions import hash_token
from leads.extensions import db
from leads.models import Role, User, UserSession
from leads.models.base import utcnow


class AccountError(ValueError):
    """A request about an account that cannot be done; the message is shown to the person."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def checked_email(email: str) -> str:
    """The normalized email, or AccountError with email-validator's reason when it is not one.

    Staff get digests and alerts at this address, so it must be a real one (no DNS check:
    the clinic's mail server may not be reachable from here).
    """
    email = normalize_email(email)
    try:
        valid = validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise AccountError(f"That is not a valid email address: {error}") from None
    return normalize_email(valid.normalized)


def find_user(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == normalize_email(email)))


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def list_users() -> list[User]:
    return list(db.session.scalars(db.select(User).order_by(User.active.desc(), User.email)))


def any_user_exists() -> bool:
    return db.session.scalar(db.select(User.id).limit(1)) is not None


def create_user(
    email: str,
    role: str,
    password: str | None = None,
    *,
    full_name: str = "",
    actor: User | None = None,
) -> tuple[User, str | None]:
    """Create an account; without `password` a one-time one is generated and returned (shown once)."""
    email = checked_email(email)
    if role not in {r.value for r in Role}:
        raise AccountError("Choose a role: coordinator or admin.")
    if find_user(email) is not None:
        raise AccountError("An account with this email already exists.")
    one_time = None
    if password is None:
        password = one_time = generate_password()
    elif problem := password_problem(password):
        raise AccountError(problem)
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=role,
        password_hash=hash_password(password),
        # A password someone else has seen must be replaced by its owner.
        must_change_password=one_time is not None,
    )
    db.session.add(user)
    db.session.flush()
    record_audit(AuditAction.USER_CREATED, "user", user.id, actor=actor, role=role)
    return user, one_time


def revoke_all_sessions(user: User, *, keep_token_hash: str | None = None) -> None:
    """End every live login of `user` (optionally all but one) and revoke its device cookies."""
    user.device_generation = (user.device_generation or 0) + 1
    query = db.update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    if keep_token_hash is not None:
        query = query.where(UserSession.token_hash != keep_token_hash)
    db.session.execute(query.values(revoked_at=utcnow()))


def set_password(
    user: User,
    password: str,
    *,
    actor: User | None = None,
    via: str = "admin",
    keep_session_token: str | None = None,
) -> None:
    """Set a password the owner chose or typed; every login of the account ends but `keep_session_token`'s."""
    if problem := password_problem(password):
        raise AccountError(problem)
    user.password_hash = hash_password(password)
    user.must_change_password = False
    keep = hash_token(keep_session_token) if keep_session_token else None
    revoke_all_sessions(user, keep_token_hash=keep)
    record_audit(AuditAction.PASSWORD_CHANGED, "user", user.id, actor=actor, via=via)


def reset_password(user: User, *, actor: User | None = None, via: str = "admin") -> str:
    """Give `user` a new one-time password (returned, to be shown once) and end its logins."""
    password = generate_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    revoke_all_sessions(user)
    record_audit(AuditAction.PASSWORD_CHANGED, "user", user.id, actor=actor, via=via, one_time=True)
    return password


def set_active(user: User, active: bool, *, actor: User | None = None) -> None:
    """Deactivate (ending every login at once) or reactivate an account."""
    if not active and actor is not None and actor.id == user.id:
        raise AccountError("You cannot deactivate your own account.")
    if user.active == active:
        return
    user.active = active
    if not active:
        revoke_all_sessions(user)
    record_audit(AuditAction.USER_UPDATED, "user", user.id, actor=actor, active=active)
