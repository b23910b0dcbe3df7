"""The lead's timeline: one function every area calls when something happens to a lead."""

from __future__ import annotations

import sqlalchemy as sa

from leads.extensions import db
from leads.models import LeadEvent


class EventKind:
    INQUIRY_RECEIVED = "inquiry_received"
    INQUIRY_REPEATED = "inquiry_repeated"
    RESUBSCRIBED = "resubscribed"
    CONTACT_ACCEPTED = "contact_accepted"
    CONTACT_KEPT = "contact_kept"
    CONTACT_EDITED = "contact_edited"
    EMAIL_SENT = "email_sent"
    EMAIL_FAILED = "email_failed"
    EMAIL_RESENT = "email_resent"
    QUESTIONNAIRE_ANSWERED = "questionnaire_answered"
    RED_FLAG = "red_flag"
    STATUS_CHANGED = "status_changed"
    ASSIGNED = "assigned"
    NOTE = "note"
    CALL_LOGGED = "call_logged"
    UNSUBSCRIBED = "unsubscribed"
    MERGED = "merged"
    ERASED = "erased"
    STEP_ADDED = "step_added"
    STEP_COMPLETED = "step_completed"
    MESSAGE_WRITTEN = "message_written"
    CONSULTATION_BOOKED = "consultation_booked"
    CONSULTATION_RESCHEDULED = "consultation_rescheduled"
    CONSULTATION_CANCELLED = "consultation_cancelled"
    REPLY_RECEIVED = "reply_received"


def record_event(lead_id: int, kind: str, actor_id: int | None = None, **data: object) -> LeadEvent:
    """Add an event to the current transaction; the caller commits."""
    event = LeadEvent(lead_id=lead_id, kind=kind, actor_id=actor_id, data=data)
    db.session.add(event)
    return event


def record_events(rows: list[dict]) -> None:
    """Many events ({"lead_id", "kind", "actor_id", "data"}) in one batched INSERT (actions on many leads)."""
    if rows:
        db.session.execute(sa.insert(LeadEvent), rows)
