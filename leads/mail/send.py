"""Sending one claimed row: re-check, render, deliver, record. Idempotent per row.

No transaction is held open while talking to the SMTP server: the claim is committed
first, the row is read and rendered, the rules are checked again (renewing the lease) right
before the SMTP transaction, and the outcome is written in a fresh transaction, retried
while the database is away. Logs carry ids and kinds only.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from leads import metrics
from leads.extensions import db
from leads.mail.claim import claim, claim_next, renew_lease
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
        return _cancelled(email_id, kind, reason)
    message_id = message_id_for(email.id, email.idempotency_key)
    try:
        context = digest_context(email.recipient) if kind == EmailKind.DIGEST else None
        message = build_message(render_email(email, recipient_for(email), context), message_id)
    except PermanentFailure as error:
        db.session.rollback()
        return _failed(email_id, kind, lead_id, str(error))
    except Exception as error:  # noqa: BLE001  (recorded on the row and retried, never left in `sending`)
        db.session.rollback()
        log.warning("email %s (%s) could not be built: %s", email_id, kind, type(error).__name__)
        return _retry_or_fail(email_id, kind, lead_id, attempts, describe(error))
    db.session.rollback()  # end the read transaction before any network traffic

    last_moment = _recheck(email_id, kind)
    if last_moment is not None:
        return last_moment
    try:
        transport.send(email_id, message)
    except TemporaryFailure as error:
        return _retry_or_fail(email_id, kind, lead_id, attempts, str(error))
    except PermanentFailure as error:
        return _failed(email_id, kind, lead_id, str(error))
    except Exception as error:  # noqa: BLE001  (a full disk, a bug: the row goes back to pending with why)
        log.warning("email %s (%s) delivery raised %s", email_id, kind, type(error).__name__)
        return _retry_or_fail(email_id, kind, lead_id, attempts, describe(error))
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


def describe(error: BaseException) -> str:
    """The reason kept on the row: the error's type and message (e.g. OSError's 'No space left')."""
    text = str(error)
    if isinstance(error, OSError) and error.strerror:
        text = error.strerror  # without the file name
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _recheck(email_id: int, kind: str) -> Outcome | None:
    """The rules again, read fresh just before the SMTP transaction, and the lease renewed.

    An erasure, an unsubscribe or an answered questionnaire since the claim stops the message
    here, so the window left is one SMTP transaction. None means: send it now.
    """
    reason = cancel_reason(db.session.get(OutboundEmail, email_id))
    if reason is not None:
        db.session.rollback()
        return _cancelled(email_id, kind, reason)
    if not renew_lease(email_id):
        db.session.rollback()
        log.warning("email %s was taken back before sending", email_id)
        return Outcome(email_id, "skipped")
    db.session.commit()
    return None


def _cancelled(email_id: int, kind: str, reason: str) -> Outcome:
    log.info("email %s (%s) cancelled at send time", email_id, kind)
    return _finish(email_id, EmailStatus.CANCELLED, last_error=f"cancelled: {reason}")


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
    """Write the outcome; while the database is away, try again with a bounded backoff.

    Giving up too early on "sent" would let the lease run out and the message go again.
    """
    deadline = time.monotonic() + current_app.config["EMAIL_RECORD_RETRY_SECONDS"]
    delay = 0.25
    while True:
        try:
            return _write_outcome(email_id, status, lead_id, event, kind, values)
        except DBAPIError as error:
            _rollback_quietly()
            lost = isinstance(error, (OperationalError, InterfaceError)) or error.connection_invalidated
            if not lost or time.monotonic() + delay > deadline:
                raise
            log.warning(
                "email %s: recording %s failed (%s); retrying", email_id, status, type(error).__name__
            )
            time.sleep(delay)
            delay = min(delay * 2, 4.0)


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except DBAPIError:
        db.session.close()  # the connection is gone; the next attempt checks out a new one


def _write_outcome(
    email_id: int, status: str, lead_id: int | None, event: str | None, kind: str | None, values: dict
) -> Outcome:
    """Write the outcome, only if the row is still ours (a sweeper may have taken it back)."""
    result = db.session.execute(
        db.update(OutboundEmail)
        .where(OutboundEmail.id == email_id, OutboundEmail.status == EmailStatus.SENDING)
        .values(status=status, lease_expires_at=None, **values),
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
