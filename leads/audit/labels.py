"""How the audit log reads: a label per action, and which actions are routine."""

from __future__ import annotations

from leads.audit.service import AuditAction

LABELS = {
    AuditAction.LEAD_VIEWED: "Viewed a lead",
    AuditAction.LEADS_EXPORTED: "Exported leads (CSV)",
    AuditAction.STATUS_CHANGED: "Changed a lead's status",
    AuditAction.LEAD_ASSIGNED: "Assigned a lead",
    AuditAction.LEAD_MERGED: "Merged leads",
    AuditAction.LEAD_ERASED: "Erased a lead's personal data",
    AuditAction.LEAD_UNSUBSCRIBED: "Unsubscribed a lead",
    AuditAction.LEAD_RESUBSCRIBED: "Re-subscribed a lead",
    AuditAction.CONTACT_ACCEPTED: "Accepted new contact details",
    AuditAction.CONTACT_KEPT: "Kept the stored contact details",
    AuditAction.CONTACT_EDITED: "Edited contact details",
    AuditAction.EMAIL_RESENT: "Queued an email again",
    AuditAction.STEP_ADDED: "Set a next step on a lead",
    AuditAction.MESSAGE_WRITTEN: "Wrote to a patient",
    AuditAction.CONSULTATION_BOOKED: "Booked a consultation",
    AuditAction.CONSULTATION_CHANGED: "Moved or cancelled a consultation",
    AuditAction.LOGIN_SUCCEEDED: "Signed in",
    AuditAction.LOGIN_FAILED: "Sign-in failed",
    AuditAction.LOGIN_THROTTLED: "Sign-in blocked (too many attempts)",
    AuditAction.LOGOUT: "Signed out",
    AuditAction.PASSWORD_CHANGED: "Changed a password",
    AuditAction.PASSWORD_CHANGE_FAILED: "Password change refused (wrong current password)",
    AuditAction.PASSWORD_CHANGE_THROTTLED: "Password change blocked (too many attempts)",
    AuditAction.USER_CREATED: "Created a user",
    AuditAction.USER_UPDATED: "Changed a user",
    AuditAction.ARTICLE_SYMPTOMS_CORRECTED: "Corrected an article's symptom list",
    AuditAction.ARTICLE_SYMPTOMS_RESET: "Reset an article's symptom list to the import's",
    AuditAction.ARTICLE_PROFILE_CHOSEN: "Chose an article's questionnaire profile",
    AuditAction.API_KEY_CREATED: "Created an API key",
    AuditAction.API_KEY_REVOKED: "Revoked an API key",
    AuditAction.WEBHOOK_CREATED: "Added a webhook endpoint",
    AuditAction.WEBHOOK_UPDATED: "Changed a webhook endpoint",
}

# Recorded on every page view: an admin looking for changes hides them.
ROUTINE = (AuditAction.LEAD_VIEWED,)


def action_label(action: str) -> str:
    """The readable label; an action added without one still reads as words, not a code."""
    return LABELS.get(action) or action.replace(".", " ").replace("_", " ").capitalize()
