"""The lead's timeline: one function every area calls when something happens to a lead."""

from __future__ import annotations

from leads.extensions import db
from leads.merging import lead_merged, move_rows
from leads.models import LeadEvent


class EventKind:
    INQUIRY_RECEIVED = "inquiry_received"
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


def record_event(lead_id: int, kind: str, actor_id: int | None = None, **data: object) -> LeadEvent:
    """Add an event to the current transaction; the caller commits."""
    event = LeadEvent(lead_id=lead_id, kind=kind, actor_id=actor_id, data=data)
    db.session.add(event)
    return event


@lead_merged.connect
def _move_events(source_id: int, target_id: int) -> dict[str, int]:
    """A merged duplicate's history becomes part of the lead that stays."""
    return move_rows(LeadEvent, source_id, target_id)
