"""Which timeline events become webhooks, and what their payloads may say.

The lead's timeline (leads/timeline.py) is the one place every area records what happened;
a listener on new LeadEvent rows owes the deliveries in the same transaction, so an event
that is rolled back is never announced, and one that is committed always is.
"""

from __future__ import annotations

from leads.extensions import db
from leads.models import Inquiry, Lead, LeadEvent
from leads.timeline import EventKind

# Timeline kind -> webhook type.
TYPES = {
    EventKind.INQUIRY_RECEIVED: "inquiry.received",
    EventKind.QUESTIONNAIRE_ANSWERED: "questionnaire.answered",
    EventKind.RED_FLAG: "lead.urgent",
    EventKind.STATUS_CHANGED: "lead.status_changed",
}
EVENT_TYPES = tuple(TYPES.values())
# Event fields any endpoint may get: ids and statuses.
PLAIN = ("inquiry_id", "article_id", "response_id", "from", "to")
# Fields only for endpoints allowed health details: what a person said about their health.
HEALTH = ("score", "flags", "reason")


def payload(event: LeadEvent, with_health: bool) -> dict:
    """The JSON body for one endpoint: plain ids always, health details only when allowed."""
    data: dict = {"lead_id": event.lead_id}
    data |= {key: event.data[key] for key in PLAIN if key in event.data}
    if with_health:
        data |= {key: event.data[key] for key in HEALTH if key in event.data}
        data |= _inquiry_details(event)
    return {"type": TYPES[event.kind], "timestamp": event.created_at.isoformat(), "data": data}


def _inquiry_details(event: LeadEvent) -> dict:
    if event.kind != EventKind.INQUIRY_RECEIVED or "inquiry_id" not in event.data:
        return {}
    with db.session.no_autoflush:
        inquiry = db.session.get(Inquiry, event.data["inquiry_id"])
        lead = db.session.get(Lead, event.lead_id)
    if inquiry is None or lead is None:
        return {}
    return {
        "symptoms": list(inquiry.symptoms or []),
        "message": inquiry.message or "",
        "email": lead.email,
        "full_name": lead.full_name,
    }
