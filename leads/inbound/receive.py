"""One inbound RFC 5322 message: refuse what is not mail or too large, drop what an auto-responder
sent (never a reply loop), match the rest to a lead (signed Reply-To token, then In-Reply-To /
References), store it with its attachments (size-limited), and tell the assignee."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from email import policy
from email.errors import MessageError
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses

import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask import current_app

from leads.extensions import db
from leads.inbound.address import lead_from_addresses
from leads.mail import outbox
from leads.models import EmailKind, InboundAttachment, InboundMessage, Lead, OutboundEmail, User
from leads.models.base import utcnow
from leads.notifications import on_duty
from leads.timeline import EventKind, record_event

log = logging.getLogger(__name__)

BODY_MAX = 100_000
AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_MESSAGE_IDS = re.compile(r"<[^<>\s]{1,250}>")


class Rejected(ValueError):
    """Not something we can take; the message is one line for the mail server's log."""


@dataclass(frozen=True)
class Outcome:
    status: str  # "stored" (on a lead's thread), "unmatched" (kept for admins) or "dropped"
    lead_id: int | None = None
    inbound_id: int | None = None
    reason: str = ""


def parse(raw: bytes) -> EmailMessage:
    limit = current_app.config["INBOUND_MAX_BYTES"]
    if len(raw) > limit:
        raise Rejected(f"message too large ({len(raw)} bytes, the limit is {limit})")
    if not raw.strip():
        raise Rejected("empty input, not a mail message")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    try:
        has_from = bool(message.get("From")) and bool(getaddresses([str(message["From"])])[0][1])
    except (MessageError, ValueError, IndexError, TypeError):
        has_from = False
    if not has_from or (message.get("Date") is None and message.get("Message-ID") is None):
        raise Rejected("not a mail message (no From, no Date or Message-ID)")
    return message


def _header(message: EmailMessage, name: str) -> str:
    try:
        return str(message.get(name, "") or "")
    except (MessageError, ValueError, IndexError, TypeError):
        return ""


def automatic_reason(message: EmailMessage) -> str | None:
    """Why this looks sent by a machine (RFC 3834 and the usual headers); such mail is never stored or answered."""
    auto = _header(message, "Auto-Submitted").strip().lower()
    if auto and auto != "no":
        return "Auto-Submitted"
    if _header(message, "Precedence").strip().lower() in AUTOMATIC_PRECEDENCE:
        return "Precedence"
    if message.get("X-Autoreply") is not None or message.get("X-Autorespond") is not None:
        return "auto-reply header"
    sender = _header(message, "From").lower()
    if "mailer-daemon@" in sender or _header(message, "Return-Path").strip() == "<>":
        return "bounce"
    return None


def _addresses(message: EmailMessage, *names: str) -> list[str]:
    values = [_header(message, name) for name in names]
    return [address for _name, address in getaddresses([value for value in values if value])]


def match(message: EmailMessage) -> tuple[int | None, str | None]:
    """(lead id, how) by the signed reply address first, then by the thread; (None, None) when neither."""
    lead_id = lead_from_addresses(_addresses(message, "To", "Cc", "Delivered-To", "X-Original-To"))
    how = "token" if lead_id is not None else None
    if lead_id is None:
        ids = _MESSAGE_IDS.findall(_header(message, "In-Reply-To") + " " + _header(message, "References"))
        if ids:
            lead_id = db.session.scalar(
                sa.select(OutboundEmail.lead_id)
                .where(OutboundEmail.message_id.in_(ids[-50:]), OutboundEmail.lead_id.is_not(None))
                .limit(1)
            )
            how = "thread" if lead_id is not None else None
    if lead_id is None:
        return None, None
    lead = db.session.get(Lead, lead_id)
    if lead is None or lead.erased_at is not None:
        return None, None
    # A duplicate merged away: the reply belongs on the lead that stayed.
    return (lead.merged_into_id or lead.id), how


def _text(message: EmailMessage) -> str:
    try:
        part = message.get_body(preferencelist=("plain", "html"))
        if part is None:
            return ""
        content = part.get_content()
    except (MessageError, LookupError, ValueError, TypeError):
        return ""
    if part.get_content_subtype() == "html":
        content = BeautifulSoup(content, "html.parser").get_text("\n")
    return content.strip()[:BODY_MAX]


def _attachments(message: EmailMessage) -> tuple[list[InboundAttachment], list[str]]:
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    kept, dropped = [], []
    for part in message.iter_attachments():
        name = re.sub(r"[\x00-\x1f\x7f/\\]", "_", part.get_filename() or "attachment")[-200:] or "attachment"
        try:
            data = part.get_payload(decode=True) or b""
        except (MessageError, ValueError, TypeError):
            data = b""
        if len(data) > limit:
            dropped.append(name)
            continue
        kept.append(
            InboundAttachment(
                filename=name, content_type=part.get_content_type()[:100], size=len(data), data=data
            )
        )
    return kept, dropped


def _notify(lead: Lead, inbound: InboundMessage) -> list[OutboundEmail]:
    assignee = db.session.get(User, lead.assignee_id) if lead.assignee_id else None
    addresses = [assignee.email] if assignee is not None and assignee.active else on_duty()
    now = utcnow()
    return [
        outbox.owe(
            EmailKind.REPLY_NOTICE, f"reply:{inbound.id}:{address.lower()}", now, lead.id, recipient=address
        )
        for address in addresses
    ]


def receive(raw: bytes) -> Outcome:
    """Take one message as the mail server hands it over. Raises Rejected for input that is not mail."""
    message = parse(raw)
    reason = automatic_reason(message)
    if reason is not None:
        return Outcome("dropped", reason=f"automatic mail ({reason})")
    message_id = _header(message, "Message-ID").strip()[:300] or None
    if message_id and db.session.scalar(
        sa.select(InboundMessage.id).where(InboundMessage.message_id == message_id)
    ):
        return Outcome("dropped", reason="already received (same Message-ID)")
    lead_id, how = match(message)
    attachments, dropped = _attachments(message)
    body = _text(message)
    if dropped:
        body += "\n\n[Not kept, too large: " + ", ".join(dropped) + "]"
    sender = _addresses(message, "From")
    inbound = InboundMessage(
        lead_id=lead_id,
        matched_by=how,
        from_address=(sender[0] if sender else "")[:320],
        subject=" ".join(_header(message, "Subject").split())[:300],
        body=body,
        message_id=message_id,
    )
    db.session.add(inbound)
    db.session.flush()
    for attachment in attachments:
        attachment.message_id = inbound.id
        db.session.add(attachment)
    rows: list[OutboundEmail] = []
    if lead_id is not None:
        record_event(lead_id, EventKind.REPLY_RECEIVED, inbound_id=inbound.id, matched_by=how)
        rows = _notify(db.session.get(Lead, lead_id), inbound)
    db.session.commit()
    outbox.publish(outbox.due_now(rows))
    if lead_id is None:
        log.info("inbound message %s unmatched, kept for admins", inbound.id)
        return Outcome("unmatched", inbound_id=inbound.id)
    log.info("inbound message %s stored for lead %s (by %s)", inbound.id, lead_id, how)
    return Outcome("stored", lead_id=lead_id, inbound_id=inbound.id)
