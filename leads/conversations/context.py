"""What the lead page shows of the conversation: the thread, the saved replies, the compose box."""

from __future__ import annotations

from leads.conversations import snippets
from leads.conversations.thread import STATE_LABELS, thread
from leads.dashboard.actions import ActionError
from leads.models import Lead, User


def compose_context(lead: Lead, user: User, reply_arg: str) -> dict:
    """`reply_arg` (?reply=<id>) fills the compose box with that saved reply, rendered for this lead."""
    context = {
        "thread": thread(lead.id),
        "message_states": STATE_LABELS,
        "saved_replies": snippets.all_replies(),
        "compose": {"subject": "", "body": ""},
        "compose_error": None,
        "health_words": [],
    }
    reply_arg = reply_arg.strip()
    if reply_arg:
        try:
            if not (reply_arg.isascii() and reply_arg.isdigit() and len(reply_arg) <= 11):
                raise ActionError("That saved reply no longer exists.")
            subject, body = snippets.fill(int(reply_arg), lead, user)
        except ActionError as error:
            context["compose_error"] = str(error)
        else:
            context["compose"] = {"subject": subject, "body": body}
    return context
