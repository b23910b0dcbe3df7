"""Sending one claimed row: re-check, render, deliver, record. Idempotent per row.

No transaction is held open while talking to the SMTP server: the claim is committed
first, the row is read and rendered, and the outcome is written in a fresh transaction.
Logs carry ids and kinds only.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from leads import metrics
from leads.extensions import db
from leads.mail.claim import claim, claim_next
from leads.mail.delivery import PermanentFailure, TemporaryFailure, Transport, build_message, message_id_for
from leads.mail.digest import digest_context
from leads.mail.render import render_email
from leads.mail.rules import cancel_reason, recipient_for
from leads.models import EmailKind, EmailStatus, OutboundEmail
from leads.models.base import utcnow
from leads.timeline import EventKind, record_event

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    email_id: int
    status: str  # an EmailStatus, or "skipped" when another worker has the row
    # Set when the row should be looked at again at that time (a retry, or not due yet).
    retry_at: datetime | None = None


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with full jitter: uniform in [1, min(cap, base * 2^(attempt-1))]."""
    config = current_app.config
    ceiling = min(config["EMAIL_RETRY_MAX_SECONDS"], config["EMAIL_RETRY_BASE_SECONDS"] * 2 ** (attempt - 1))
    return max(1.0, random.uniform(0, ceiling))  # noqa: S311  (jitter, not a secret)


def deliver(email_id: int, transport: Transport) -> Outcome:
    """Claim row `email_id` and send it; a row someone else has, or already sent, is left alone."""
    if claim(email_id):
        return send_claimed(email_id, transport)
    row = db.session.get(OutboundEmail, email_id)
    early = row is not None and row.status == EmailStatus.PENDING and row.due_at > utcnow()
    due_at = row.due_at if early else None
    db.session.rollback()
    # Published early (e.g. a retry whose ETA ran ahead): look again when it is due.
    return Outcome(email_id, "skipped", retry_at=due_at)


def send_batch(limit: int, transport: Transport) -> list[Outcome]:
    """Claim and send due rows one by one over one transport, up to `limit`.

    Stops at the first temporary failure: the server is likely down for the rest too.
    """
    outcomes: list[Outcome] = []
    while len(outcomes) < limit:
        email_id = claim_next()
        if email_id is None:
            break
        outcome = send_claimed(email_id, transport)
        outcomes.append(outcome)
        if outcome.retry_at is not None:
            break
    return outcomes


def send_claimed(email_id: int, transport: Transport) -> Outcome:
    """Send a row this worker has claimed (status `sending`)."""
    email = db.session.get(OutboundEmail, email_id)
    kind, lead_id, attempts = email.kind, email.lead_id, email.attempts
    reason = cancel_reason(email)
    if reason is not None:
        db.session.rollback()
        log.info("email %s (%s) cancelled at send time", email_id, kind)
        return _finish(email_id, EmailStatus.CANCELLED, last_error=f"cancelled: {reason}")
    message_id = message_id_for(email.id, email.idempotency_key)
    try:
        context = digest_context(email.recipient) if kind == EmailKind.DIGEST else None
        message = build_message(render_email(email, recipient_for(email), context), message_id)
    except PermanentFailure as error:
        db.session.rollback()
        return _failed(email_id, kind, lead_id, str(error))
    db.session.rollback()  # end the read transaction before any network traffic

    try:
        transport.send(email_id, message)
    except TemporaryFailure as error:
        return _retry_or_fail(email_id, kind, lead_id, attempts, str(error))
    except PermanentFailure as error:
        return _failed(email_id, kind, lead_id, str(error))
    log.info("email %s (%s) sent, attempt %s", email_id, kind, attempts)
    metrics.email_sent(kind)
    return _finish(
        email_id,
        EmailStatus.SENT,
        lead_id=lead_id,
        event=EventKind.EMAIL_SENT,
        kind=kind,
        sent_at=utcnow(),
        message_id=message_id,
        last_error=None,
    )


def _retry_or_fail(email_id: int, kind: str, lead_id: int | None, attempts: int, reason: str) -> Outcome:
    if attempts >= current_app.config["EMAIL_MAX_ATTEMPTS"]:
        return _failed(email_id, kind, lead_id, f"gave up after {attempts} attempts: {reason}")
    retry_at = utcnow() + timedelta(seconds=backoff_seconds(attempts))
    log.info("email %s (%s) deferred after attempt %s", email_id, kind, attempts)
    metrics.email_retried(kind)
    outcome = _finish(email_id, EmailStatus.PENDING, due_at=retry_at, last_error=reason[:1000])
    return Outcome(
        email_id, outcome.status, retry_at=retry_at if outcome.status == EmailStatus.PENDING else None
    )


def _failed(email_id: int, kind: str, lead_id: int | None, reason: str) -> Outcome:
    log.warning("email %s (%s) failed permanently", email_id, kind)
    metrics.email_failed(kind)
    return _finish(
        email_id,
        EmailStatus.FAILED,
        lead_id=lead_id,
        event=EventKind.EMAIL_FAILED,
        kind=kind,
        last_error=reason[:1000],
    )


def _finish(
    email_id: int,
    status: str,
    lead_id: int | None = None,
    event: str | None = None,
    kind: str | None = None,
    **values: object,
) -> Outcome:
    """Write the outcome, only if the row is still ours (a sweeper may have taken it back)."""
    result = db.session.execute(
        db.update(OutboundEmail)
        .where(OutboundEmail.id == email_id, OutboundEmail.status == EmailStatus.SENDING)
        .values(status=status, **values),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:
        db.session.rollback()
        log.warning("email %s was taken back while sending; outcome %s not recorded", email_id, status)
        return Outcome(email_id, "skipped")
    if event is not None and lead_id is not None:
        record_event(lead_id, event, email_id=email_id, email_kind=kind)
    db.session.commit()
    return Outcome(email_id, status)
