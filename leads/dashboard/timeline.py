"""A lead's timeline: its events, inquiries, emails and answers, merged into one list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from leads.dashboard.contact import FIELD_LABELS
from leads.dashboard.next_steps import STEP_KINDS, local_stamp, step_lines
from leads.models import Inquiry, LeadEvent, OutboundEmail, QuestionnaireResponse, User
from leads.questionnaire.questions import red_flag_label
from leads.timeline import EventKind

CONTACT_KINDS = {EventKind.CONTACT_ACCEPTED, EventKind.CONTACT_KEPT, EventKind.CONTACT_EDITED}

# These kinds are drawn from their own rows (richer and always present); an event of the same kind would repeat them.
FROM_ROWS = {
    EventKind.INQUIRY_RECEIVED,
    EventKind.EMAIL_SENT,
    EventKind.EMAIL_FAILED,
    EventKind.QUESTIONNAIRE_ANSWERED,
}

TITLES = {
    EventKind.EMAIL_RESENT: "Email queued again",
    EventKind.RED_FLAG: "Red flag reported",
    EventKind.STATUS_CHANGED: "Status changed",
    EventKind.ASSIGNED: "Assigned",
    EventKind.NOTE: "Note",
    EventKind.CALL_LOGGED: "Call logged",
    EventKind.UNSUBSCRIBED: "Unsubscribed",
    EventKind.INQUIRY_REPEATED: "Inquiry sent again",
    EventKind.RESUBSCRIBED: "Subscribed again",
    EventKind.CONTACT_ACCEPTED: "New contact details accepted",
    EventKind.CONTACT_KEPT: "Contact details kept",
    EventKind.CONTACT_EDITED: "Contact details edited",
    EventKind.MERGED: "Merged",
    EventKind.ERASED: "Personal data erased",
    EventKind.STEP_ADDED: "Next step set",
    EventKind.STEP_COMPLETED: "Next step done",
    EventKind.MESSAGE_WRITTEN: "Message to the patient",
    EventKind.CONSULTATION_BOOKED: "Consultation booked",
    EventKind.CONSULTATION_RESCHEDULED: "Consultation moved",
    EventKind.CONSULTATION_CANCELLED: "Consultation cancelled",
    EventKind.REPLY_RECEIVED: "Reply from the patient",
}


@dataclass
class TimelineItem:
    at: datetime
    kind: str
    title: str
    actor: str = "System"
    lines: list[str] = field(default_factory=list)


def _label(value: str | None) -> str:
    return (value or "").replace("_", " ")


def _event_lines(event: LeadEvent, users: dict[int, User]) -> list[str]:
    data = event.data or {}
    lines = []
    if event.kind == EventKind.STATUS_CHANGED:
        lines.append(f"{_label(data.get('from'))} → {_label(data.get('to'))}")
        if data.get("reason"):
            lines.append(f"Reason: {data['reason']}")
    elif event.kind == EventKind.ASSIGNED:
        user = users.get(data.get("assignee_id") or 0)
        lines.append(f"To {user.full_name or user.email}" if user else "Unassigned")
        if data.get("round_robin"):
            lines.append("Round-robin")
    elif event.kind == EventKind.NOTE:
        lines.append(str(data.get("body", "")))
    elif event.kind == EventKind.CALL_LOGGED:
        lines.append(f"Outcome: {_label(data.get('outcome'))}")
        if data.get("notes"):
            lines.append(str(data["notes"]))
    elif event.kind == EventKind.RED_FLAG:
        lines.extend(red_flag_label(flag, data.get("profile")) for flag in data.get("flags", []))
    elif event.kind == EventKind.INQUIRY_REPEATED:
        lines.append("The same inquiry again (same article, message and symptoms): stored once, no new email")
        typed = data.get("typed") or {}
        if typed:
            details = "; ".join(f"{FIELD_LABELS.get(name, name)}: {value}" for name, value in typed.items())
            lines.append(f"Typed differently this time: {details}")
    elif event.kind == EventKind.RESUBSCRIBED:
        if data.get("via") == "inquiry":
            lines.append("A new inquiry asked to be contacted: its confirmation and questionnaire are owed")
        if data.get("reason"):
            lines.append(f"Reason: {data['reason']}")
    elif event.kind in CONTACT_KINDS:
        fields = [FIELD_LABELS.get(name, str(name)) for name in data.get("fields", [])]
        if fields:
            lines.append(f"Fields: {', '.join(fields)}")
    elif event.kind == EventKind.MESSAGE_WRITTEN:
        lines.append(f"Subject: {data.get('subject', '')}")
    elif event.kind in (EventKind.CONSULTATION_BOOKED, EventKind.CONSULTATION_RESCHEDULED) and data.get(
        "starts_at"
    ):
        start = datetime.fromisoformat(str(data["starts_at"]))
        lines.append(f"{local_stamp(start)}, {data.get('minutes', '?')} min")
    elif event.kind in STEP_KINDS:
        lines.extend(step_lines(data, users))
    elif event.kind == EventKind.MERGED:
        if data.get("source_id"):
            lines.append(f"Lead #{data['source_id']} merged into this one")
        if data.get("target_id"):
            lines.append(f"Merged into lead #{data['target_id']}")
    return lines


def build_timeline(
    events: list[LeadEvent],
    inquiries: list[Inquiry],
    emails: list[OutboundEmail],
    responses: list[QuestionnaireResponse],
    users: dict[int, User],
) -> list[TimelineItem]:
    """Newest first. `users` must hold every actor (the caller loads them in one query)."""
    items: list[TimelineItem] = []
    for event in events:
        if event.kind in FROM_ROWS:
            continue
        actor = users.get(event.actor_id or 0)
        items.append(
            TimelineItem(
                at=event.created_at,
                kind=event.kind,
                title=TITLES.get(event.kind, _label(event.kind).capitalize()),
                actor=(actor.full_name or actor.email) if actor else "System",
                lines=_event_lines(event, users),
            )
        )
    for inquiry in inquiries:
        title = inquiry.article.title if inquiry.article else "an article"
        items.append(TimelineItem(inquiry.created_at, "inquiry", f"Inquiry about {title}", "Patient", []))
    for email in emails:
        at = email.sent_at or email.claimed_at or email.created_at
        lines = [f"State: {email.status}"]
        if email.last_error:
            lines.append(f"Error: {email.last_error}")
        items.append(TimelineItem(at, "email", f"Email: {_label(email.kind)}", "System", lines))
    for response in responses:
        lines = [f"Score {response.score}"]
        if response.red_flags:
            lines.append(f"{len(response.red_flags)} red flag(s)")
        items.append(
            TimelineItem(response.submitted_at, "answers", "Questionnaire answered", "Patient", lines)
        )
    items.sort(key=lambda item: item.at, reverse=True)
    return items
