"""Sending claimed rows: read and render, re-check, deliver, record. Idempotent per row.

A batch costs a few statements, plus two per message sent: its rows are claimed in one
UPDATE and read with their leads and inquiries in a few queries; the rules are read again and
the leases renewed for all of them in one short transaction right before the SMTP transactions
(again every RECHECK_SECONDS while a slow server takes its time); each message the server
accepted is marked sent (with its timeline event) at once, so a crash re-sends at most the one
in flight; the other outcomes are written together at the end, one UPDATE per status. Writes
are retried while the database is away. No transaction is held open while
talking to the SMTP server. One row (the after-commit hint) goes the same way as a batch of
one. Logs carry ids and kinds only.
"""

from __future__ import annotations

import logging
import random
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import Message

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import joinedload

from leads import metrics
from leads.extensions import db
from leads.mail.claim import claim, claim_batch, release_unsent, renew_leases, still_ours
from leads.mail.delivery import PermanentFailure, TemporaryFailure, Transport, build_message, message_id_for
from leads.mail.digest import digest_context
from leads.mail.render import render_email
from leads.mail.rules import cancel_reasons, recipient_for
from leads.models import EmailKind, EmailStatus, Inquiry, OutboundEmail
from leads.models.base import utcnow
from leads.timeline import EventKind, inquiries_with_event, record_events

log = logging.getLogger(__name__)

# How long a batch may go on sending after the rules were last read: an erasure or an
# unsubscribe stops what is left of the batch within this (plus one SMTP transaction).
RECHECK_SECONDS = 1.0

SKIPPED = "skipped"  # another worker has the row, or the sweep took it back
_RETRY = "retry"  # a verdict only: becomes pending (with a backoff) or failed (out of attempts)


@dataclass(frozen=True)
class Outcome:
    email_id: int
    status: str  # an EmailStatus, or "skipped" when another worker has the row
    # Set when the row should be looked at again at that time (a retry, or not due yet).
    retry_at: datetime | None = None


@dataclass
class _Row:
    """A claimed row on its way through a batch, as plain values (its ORM object expires)."""

    email_id: int
    kind: str
    lead_id: int | None
    attempts: int
    message_id: str = ""
    message: Message | None = None
    # Decided before any SMTP traffic: (status, reason); None while it is to be sent.
    verdict: tuple[str, str] | None = None


@dataclass
class _Record:
    """One row's outcome, to write (unless skipped)."""

    row: _Row
    status: str
    values: dict = field(default_factory=dict)
    event: str | None = None
    retry_at: datetime | None = None


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with full jitter: uniform in [1, min(cap, base * 2^(attempt-1))]."""
    config = current_app.config
    ceiling = min(config["EMAIL_RETRY_MAX_SECONDS"], config["EMAIL_RETRY_BASE_SECONDS"] * 2 ** (attempt - 1))
    return max(1.0, random.uniform(0, ceiling))  # noqa: S311  (jitter, not a secret)


def deliver(email_id: int, transport: Transport) -> Outcome:
    """Claim row `email_id` and send it; a row someone else has, or already sent, is left alone."""
    now = utcnow()
    if claim(email_id, now):
        return send_claimed_batch([email_id], transport, claimed_at=now)[0]
    row = db.session.get(OutboundEmail, email_id)
    early = row is not None and row.status == EmailStatus.PENDING and row.due_at > utcnow()
    due_at = row.due_at if early else None
    db.session.rollback()
    # Published early (e.g. a retry whose ETA ran ahead): look again when it is due.
    return Outcome(email_id, SKIPPED, retry_at=due_at)


def send_batch(limit: int, transport: Transport) -> list[Outcome]:
    """Claim up to `limit` due rows in one statement and send them over one transport.

    Stops at the first temporary failure: the server is likely down for the rest too, which
    go back to pending untried.
    """
    now = utcnow()
    email_ids = claim_batch(limit, now)
    return send_claimed_batch(email_ids, transport, claimed_at=now) if email_ids else []


def send_claimed(email_id: int, transport: Transport) -> Outcome:
    """Send a row this worker has claimed (status `sending`)."""
    return send_claimed_batch([email_id], transport)[0]


def send_claimed_batch(
    email_ids: Sequence[int], transport: Transport, claimed_at: datetime | None = None
) -> list[Outcome]:
    """Send rows this worker has claimed (at `claimed_at`), in this order; an outcome for each
    row tried. With the claim time, a row the sweep took back and another worker claimed again
    is never taken for ours."""
    rows = _prepare(email_ids)
    records: list[_Record] = []
    written: set[int] = set()
    checked_at: float | None = None
    unsent: list[int] = []
    for position, row in enumerate(rows):
        if row.verdict is None and (checked_at is None or time.monotonic() - checked_at > RECHECK_SECONDS):
            _recheck([later for later in rows[position:] if later.verdict is None], claimed_at)
            checked_at = time.monotonic()
        if row.verdict is None:
            record = _send_one(row, transport)
            if record.status == EmailStatus.SENT:
                # Written at once (its mark and its event): a crash re-sends at most the
                # message in flight, never the batch's earlier ones.
                written |= _finish([record], [], claimed_at)
        else:
            record = _decided(row)
        records.append(record)
        if record.retry_at is not None:
            unsent = [later.email_id for later in rows[position + 1 :] if later.verdict != (SKIPPED, "")]
            break
    written |= _finish(
        [record for record in records if record.status != EmailStatus.SENT], unsent, claimed_at
    )
    return [_outcome(record, written) for record in records]


def describe(error: BaseException) -> str:
    """The reason kept on the row: the error's type and message (e.g. OSError's 'No space left')."""
    text = str(error)
    if isinstance(error, OSError) and error.strerror:
        text = error.strerror  # without the file name
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _load(email_ids: Sequence[int]) -> list[OutboundEmail]:
    """The rows with their leads, in one query, read fresh."""
    return list(
        db.session.scalars(
            db.select(OutboundEmail)
            .options(joinedload(OutboundEmail.lead))
            .where(OutboundEmail.id.in_(list(email_ids)))
            .execution_options(populate_existing=True)
        ).unique()
    )


def _prepare(email_ids: Sequence[int]) -> list[_Row]:
    """Read the rows and what rendering needs (a few queries for the batch), apply the rules,
    build each message; then end the read transaction, before any network traffic."""
    emails = {email.id: email for email in _load(email_ids)}
    # Held here so that render_email's get() finds them in the session's identity map.
    inquiry_ids = {email.inquiry_id for email in emails.values() if email.inquiry_id}
    inquiries = (
        db.session.scalars(
            db.select(Inquiry).options(joinedload(Inquiry.article)).where(Inquiry.id.in_(list(inquiry_ids)))
        ).all()
        if inquiry_ids
        else []
    )
    confirmations = [email for email in emails.values() if email.kind == EmailKind.CONFIRMATION]
    resubscribed = inquiries_with_event({email.lead_id for email in confirmations}, EventKind.RESUBSCRIBED)
    reasons = cancel_reasons(emails.values())
    rows = []
    for email_id in email_ids:
        email = emails.get(email_id)
        if email is None:  # deleted since the claim: nothing to send or record
            rows.append(_Row(email_id, "", None, 0, verdict=(SKIPPED, "")))
            continue
        row = _Row(email.id, email.kind, email.lead_id, email.attempts)
        reason = reasons[email_id]
        if reason is not None:
            row.verdict = (EmailStatus.CANCELLED, reason)
        else:
            _build(row, email, (email.lead_id, email.inquiry_id) in resubscribed)
        rows.append(row)
    del inquiries
    db.session.rollback()
    return rows


def _build(row: _Row, email: OutboundEmail, resubscribed: bool) -> None:
    """Render and build row `email`'s message, or set why it will not be sent now."""
    row.message_id = message_id_for(email.id, email.idempotency_key)
    try:
        context = digest_context(email.recipient) if row.kind == EmailKind.DIGEST else None
        rendered = render_email(email, recipient_for(email), context, resubscribed=resubscribed)
        row.message = build_message(rendered, row.message_id)
    except PermanentFailure as error:
        db.session.rollback()
        row.verdict = (EmailStatus.FAILED, str(error))
    except Exception as error:  # noqa: BLE001  (recorded on the row and retried, never left in `sending`)
        db.session.rollback()
        log.warning("email %s (%s) could not be built: %s", row.email_id, row.kind, type(error).__name__)
        row.verdict = (_RETRY, describe(error))


def _recheck(rows: list[_Row], claimed_at: datetime | None) -> None:
    """The rules again, read fresh just before the SMTP transactions, and the leases renewed,
    for all these rows in one short transaction.

    An erasure, an unsubscribe or an answered questionnaire since the claim stops the message
    here, so the window left is RECHECK_SECONDS and one SMTP transaction.
    """
    emails = _load([row.email_id for row in rows])
    reasons = cancel_reasons(emails)
    wanted = [row.email_id for row in rows if row.email_id in reasons and reasons[row.email_id] is None]
    ours = renew_leases(wanted, claimed_at)
    db.session.commit()
    for row in rows:
        reason = reasons.get(row.email_id)
        if reason is not None:
            row.verdict = (EmailStatus.CANCELLED, reason)
        elif row.email_id not in ours:
            log.warning("email %s was taken back before sending", row.email_id)
            row.verdict = (SKIPPED, "")


def _send_one(row: _Row, transport: Transport) -> _Record:
    try:
        transport.send(row.email_id, row.message)
    except TemporaryFailure as error:
        return _retry_or_fail(row, str(error))
    except PermanentFailure as error:
        return _failed(row, str(error))
    except Exception as error:  # noqa: BLE001  (a full disk, a bug: the row goes back to pending with why)
        log.warning("email %s (%s) delivery raised %s", row.email_id, row.kind, type(error).__name__)
        return _retry_or_fail(row, describe(error))
    log.info("email %s (%s) sent, attempt %s", row.email_id, row.kind, row.attempts)
    metrics.email_sent(row.kind)
    values = {"sent_at": utcnow(), "message_id": row.message_id, "last_error": None}
    return _Record(row, EmailStatus.SENT, values, event=EventKind.EMAIL_SENT)


def _decided(row: _Row) -> _Record:
    status, reason = row.verdict
    if status == EmailStatus.CANCELLED:
        log.info("email %s (%s) cancelled at send time", row.email_id, row.kind)
        return _Record(row, EmailStatus.CANCELLED, {"last_error": f"cancelled: {reason}"})
    if status == EmailStatus.FAILED:
        return _failed(row, reason)
    if status == _RETRY:
        return _retry_or_fail(row, reason)
    return _Record(row, SKIPPED)


def _retry_or_fail(row: _Row, reason: str) -> _Record:
    if row.attempts >= current_app.config["EMAIL_MAX_ATTEMPTS"]:
        return _failed(row, f"gave up after {row.attempts} attempts: {reason}")
    retry_at = utcnow() + timedelta(seconds=backoff_seconds(row.attempts))
    log.info("email %s (%s) deferred after attempt %s", row.email_id, row.kind, row.attempts)
    metrics.email_retried(row.kind)
    values = {"due_at": retry_at, "last_error": reason[:1000]}
    return _Record(row, EmailStatus.PENDING, values, retry_at=retry_at)


def _failed(row: _Row, reason: str) -> _Record:
    log.warning("email %s (%s) failed permanently", row.email_id, row.kind)
    metrics.email_failed(row.kind)
    return _Record(row, EmailStatus.FAILED, {"last_error": reason[:1000]}, event=EventKind.EMAIL_FAILED)


def _outcome(record: _Record, written: set[int]) -> Outcome:
    email_id = record.row.email_id
    if record.status == SKIPPED:
        return Outcome(email_id, SKIPPED)
    if email_id not in written:
        log.warning("email %s was taken back while sending; outcome %s not recorded", email_id, record.status)
        return Outcome(email_id, SKIPPED)
    return Outcome(email_id, record.status, retry_at=record.retry_at)


def _finish(records: list[_Record], unsent: list[int], claimed_at: datetime | None) -> set[int]:
    """Write the outcomes; while the database is away, try again with a bounded backoff.

    Giving up too early on "sent" would let the lease run out and the message go again.
    """
    deadline = time.monotonic() + current_app.config["EMAIL_RECORD_RETRY_SECONDS"]
    delay = 0.25
    while True:
        try:
            return _write_outcomes(records, unsent, claimed_at)
        except DBAPIError as error:
            _rollback_quietly()
            lost = isinstance(error, (OperationalError, InterfaceError)) or error.connection_invalidated
            if not lost or time.monotonic() + delay > deadline:
                raise
            statuses = ", ".join(sorted({record.status for record in records}))
            log.warning(
                "%s email(s): recording %s failed (%s); retrying",
                len(records),
                statuses,
                type(error).__name__,
            )
            time.sleep(delay)
            delay = min(delay * 2, 4.0)


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except DBAPIError:
        db.session.close()  # the connection is gone; the next attempt checks out a new one


def _write_outcomes(records: list[_Record], unsent: list[int], claimed_at: datetime | None) -> set[int]:
    """One UPDATE per status, only on rows still ours (a sweeper may have taken some back),
    their timeline events, and the untried rows given back; one transaction. Returns the ids written."""
    if db.session.get_bind().dialect.name == "postgresql":
        # Each sent message is recorded in its own transaction (a killed worker re-sends at most
        # the one in flight); waiting for its WAL flush was most of a worker's time per email.
        # Not waiting keeps that promise for a worker crash: the commit is visible at once. Only
        # a crash of PostgreSQL itself can lose the last fraction of a second of records, and
        # those messages go again: at least once, as delivery always was.
        db.session.execute(sa.text("SET LOCAL synchronous_commit TO OFF"))
    by_status: dict[str, list[_Record]] = defaultdict(list)
    for record in records:
        if record.status != SKIPPED:
            by_status[record.status].append(record)
    written: set[int] = set()
    for status, group in by_status.items():
        common, per_row = _split_values(group)
        ours = set(
            db.session.scalars(
                db.update(OutboundEmail)
                .where(*still_ours([record.row.email_id for record in group], claimed_at))
                .values(status=status, lease_expires_at=None, **common)
                .returning(OutboundEmail.id),
                execution_options={"synchronize_session": False},
            )
        )
        if per_row and ours:
            # The values that differ (a Message-ID, a send time): one executemany, which
            # psycopg pipelines; the rows are ours since the UPDATE above, in this transaction.
            table = OutboundEmail.__table__
            db.session.execute(
                sa.update(table)
                .where(table.c.id == sa.bindparam("row_id"))
                .values({column: sa.bindparam(f"row_{column}") for column in per_row}),
                [
                    {"row_id": record.row.email_id} | {f"row_{c}": record.values[c] for c in per_row}
                    for record in group
                    if record.row.email_id in ours
                ],
            )
        written |= ours
    # One INSERT for the batch (the ORM's flush sends one per row on SQLite); email events
    # are no webhook types, so nothing listens for them in the session.
    record_events(
        [
            {
                "lead_id": record.row.lead_id,
                "kind": record.event,
                "actor_id": None,
                "data": {"email_id": record.row.email_id, "email_kind": record.row.kind},
            }
            for record in records
            if record.event is not None and record.row.lead_id is not None and record.row.email_id in written
        ]
    )
    release_unsent(unsent, claimed_at)
    db.session.commit()
    return written


def _split_values(group: list[_Record]) -> tuple[dict, list[str]]:
    """The columns whose new value is the same on every row of the group (with that value),
    and the names of those that differ from row to row."""
    common, per_row = {}, []
    for column in group[0].values:
        distinct = {record.values[column] for record in group}
        if len(distinct) == 1:
            common[column] = distinct.pop()
        else:
            per_row.append(column)
    return common, per_row
