"""Record who saw or changed what. Entries are only ever added."""

from __future__ import annotations

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user

from leads.extensions import db
from leads.models import AuditEntry


class AuditAction:
    LEAD_VIEWED = "lead.viewed"
    LEADS_EXPORTED = "leads.exported"
    STATUS_CHANGED = "lead.status_changed"
    LEAD_ASSIGNED = "lead.assigned"
    LEAD_MERGED = "lead.merged"
    LEAD_ERASED = "lead.erased"
    LEAD_UNSUBSCRIBED = "lead.unsubscribed"
    LEAD_RESUBSCRIBED = "lead.resubscribed"
    CONTACT_ACCEPTED = "lead.contact_accepted"
    CONTACT_KEPT = "lead.contact_kept"
    CONTACT_EDITED = "lead.contact_edited"
    EMAIL_RESENT = "email.resent"
    STEP_ADDED = "lead.step_added"
    MESSAGE_WRITTEN = "lead.message_written"
    CONSULTATION_BOOKED = "lead.consultation_booked"
    CONSULTATION_CHANGED = "lead.consultation_changed"
    LOGIN_SUCCEEDED = "login.succeeded"
    LOGIN_FAILED = "login.failed"
    LOGIN_THROTTLED = "login.throttled"
    LOGOUT = "logout"
    PASSWORD_CHANGED = "user.password_changed"  # noqa: S105  (an action name, not a password)
    PASSWORD_CHANGE_FAILED = "user.password_change_failed"  # noqa: S105  (an action name)
    PASSWORD_CHANGE_THROTTLED = "user.password_change_throttled"  # noqa: S105  (an action name)
    USER_CREATED = "user.created"
    USER_UPDATED = "user.updated"
    ARTICLE_SYMPTOMS_CORRECTED = "article.symptoms_corrected"
    ARTICLE_SYMPTOMS_RESET = "article.symptoms_reset"
    ARTICLE_PROFILE_CHOSEN = "article.profile_chosen"
    API_KEY_CREATED = "api_key.created"
    API_KEY_REVOKED = "api_key.revoked"
    WEBHOOK_CREATED = "webhook.created"
    WEBHOOK_UPDATED = "webhook.updated"


def audit_row(
    action: str,
    target_type: str | None = None,
    target_id: int | None = None,
    *,
    actor=None,
    actor_email: str | None = None,
    **details: object,
) -> dict:
    """The column values of one entry (see record_audit)."""
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user
    return {
        "actor_id": getattr(actor, "id", None),
        "actor_email": getattr(actor, "email", None) or actor_email,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "ip_address": request.remote_addr if has_request_context() else None,
        "user_agent": (request.user_agent.string or "")[:300] if has_request_context() else None,
        "details": details,
    }


def record_audit(
    action: str,
    target_type: str | None = None,
    target_id: int | None = None,
    *,
    actor=None,
    actor_email: str | None = None,
    **details: object,
) -> AuditEntry:
    """Add an audit entry to the current transaction; the caller commits.

    The actor defaults to the logged-in user; `actor_email` names an attempted
    account when nobody is logged in (a failed login).
    """
    entry = AuditEntry(
        **audit_row(action, target_type, target_id, actor=actor, actor_email=actor_email, **details)
    )
    db.session.add(entry)
    return entry


def record_audits(rows: list[dict]) -> None:
    """Many entries (from audit_row) in one batched INSERT: an action on many leads is audited per lead."""
    if rows:
        db.session.execute(sa.insert(AuditEntry), rows)
