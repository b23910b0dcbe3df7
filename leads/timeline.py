"""The lead's timeline: one function every area calls when something happens to a lead."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa

from leads.extensions import db
from leads.lead_signals import Scrubbed, lead_erased, lead_merged, move_rows
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


def recorded_for_inquiry(lead_id: int, kind: str, inquiry_id: int) -> bool:
    """Whether the lead's timeline has an event of `kind` about inquiry `inquiry_id`."""
    found = db.session.scalars(
        sa.select(LeadEvent.data).where(LeadEvent.lead_id == lead_id, LeadEvent.kind == kind)
    )
    return any(data.get("inquiry_id") == inquiry_id for data in found)


def inquiries_with_event(lead_ids: Collection[int], kind: str) -> set[tuple[int, int]]:
    """(lead id, inquiry id) of each event of `kind` about an inquiry on these leads' timelines:
    recorded_for_inquiry() for many leads in one query."""
    if not lead_ids:
        return set()
    found = db.session.execute(
        sa.select(LeadEvent.lead_id, LeadEvent.data).where(
            LeadEvent.lead_id.in_(list(lead_ids)), LeadEvent.kind == kind
        )
    )
    return {(lead_id, data.get("inquiry_id")) for lead_id, data in found if isinstance(data, dict)}


def record_events(rows: list[dict]) -> None:
    """Many events ({"lead_id", "kind", "actor_id", "data"}) in one batched INSERT (actions on many leads)."""
    if rows:
        db.session.execute(sa.insert(LeadEvent), rows)


# Timeline data that never holds personal text (ids, states, choices from fixed lists).
SAFE_EVENT_KEYS = frozenset(
    {
        "from",
        "to",
        "assignee_id",
        "round_robin",
        "outcome",
        "email_id",
        "email_kind",
        "inquiry_id",
        "article_id",
        "response_id",
        "source_id",
        "target_id",
        "cancelled_emails",
        "inquiries",
        "questionnaire_responses",
        "outbound_emails",
        "lead_events",
        "symptom_counts",
        "emails_cancelled",
        "files_deleted",
        "messages_erased",
        "replies_erased",
        "webhook_deliveries_deleted",
        "answers_erased",
    }
)


@lead_merged.connect
def _move_events(source_id: int, target_id: int) -> dict[str, int]:
    """A merged duplicate's history becomes part of the lead that stays."""
    return move_rows(LeadEvent, source_id, target_id)


@lead_erased.connect
def _scrub_events(lead_id: int) -> Scrubbed:
    """Notes, call notes and reasons are free text: only the keys known to be safe stay."""
    # That the person reported a red flag is itself a health answer.
    db.session.execute(
        sa.delete(LeadEvent).where(LeadEvent.lead_id == lead_id, LeadEvent.kind == EventKind.RED_FLAG),
        execution_options={"synchronize_session": False},
    )
    for event in db.session.scalars(sa.select(LeadEvent).where(LeadEvent.lead_id == lead_id)):
        data = event.data or {}
        event.data = {key: value for key, value in data.items() if key in SAFE_EVENT_KEYS}
    return Scrubbed(LeadEvent.__tablename__)
