"""What emails are owed, as rows. Writing rows is part of the caller's transaction;
publishing to the broker happens only after the commit, and only as a hint.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from leads import task_names
from leads.extensions import db
from leads.models import EmailKind, EmailStatus, Inquiry, Lead, OutboundEmail
from leads.models.base import utcnow

log = logging.getLogger(__name__)

SEND_TASK = task_names.SEND_EMAIL
BATCH_TASK = task_names.SEND_DUE_BATCH


def owe(
    kind: str,
    key: str,
    due_at: datetime,
    lead_id: int | None,
    inquiry_id: int | None = None,
    recipient: str | None = None,
    sequence: int = 0,
) -> OutboundEmail:
    """Add one owed email to the current transaction."""
    row = OutboundEmail(**owed_row(kind, key, due_at, lead_id, inquiry_id, recipient, sequence))
    db.session.add(row)
    return row


def owed_row(
    kind: str,
    key: str,
    due_at: datetime,
    lead_id: int | None,
    inquiry_id: int | None = None,
    recipient: str | None = None,
    sequence: int = 0,
    now: datetime | None = None,
) -> dict:
    """One owed email as the parameters of insert_owed(): owe() for rows written together."""
    return {
        "kind": kind,
        "idempotency_key": key,
        "due_at": due_at,
        "lead_id": lead_id,
        "inquiry_id": inquiry_id,
        "recipient": recipient,
        "sequence": sequence,
        "status": EmailStatus.PENDING,
        "attempts": 0,
        "created_at": now or utcnow(),
    }


def insert_owed(values: list[dict]) -> list[OutboundEmail]:
    """Owed emails (owed_row()) in one INSERT ... RETURNING, back as ORM rows in the order given.

    SQLAlchemy batches the parameter sets into one statement. Rows as parameters, not a
    `.values([...])` literal: that statement would be compiled anew on every call. Sorted here:
    asking the database for the order costs one statement per row on SQLite.
    """
    if not values:
        return []
    # render_nulls: the ORM would otherwise group the rows by which values are None (a notice
    # has a recipient, a patient's email none) and send one INSERT per group.
    rows = db.session.scalars(
        sa.insert(OutboundEmail).returning(OutboundEmail),
        values,
        execution_options={"render_nulls": True},
    ).all()
    order = {value["idempotency_key"]: position for position, value in enumerate(values)}
    return sorted(rows, key=lambda row: order[row.idempotency_key])


def schedule_inquiry_followups(
    inquiry: Inquiry, now: datetime | None = None, reminders: bool = True, also: Iterable[dict] = ()
) -> list[OutboundEmail]:
    """The confirmation now, the questionnaire after a delay, then the reminders (unless `reminders` is False).

    Called inside the inquiry's transaction (the inquiry must have an id: flush first).
    Nothing is owed to a lead that unsubscribed. `also`: other owed rows (owed_row()) of the
    same transaction, written in the same statement (the new-lead notice: one INSERT, not two).
    """
    now = now or utcnow()
    owed = []
    if inquiry.lead.unsubscribed_at is None:
        config = current_app.config
        invite_at = now + timedelta(seconds=config["QUESTIONNAIRE_DELAY_SECONDS"])
        owed = [
            (EmailKind.CONFIRMATION, f"inquiry:{inquiry.id}:confirmation", now, 0),
            (EmailKind.QUESTIONNAIRE, f"inquiry:{inquiry.id}:questionnaire", invite_at, 0),
        ]
        for number, days in enumerate(config["REMINDER_DAYS"] if reminders else [], start=1):
            owed.append(
                (
                    EmailKind.REMINDER,
                    f"inquiry:{inquiry.id}:reminder:{number}",
                    invite_at + timedelta(days=days),
                    number,
                )
            )
    values = [
        owed_row(kind, key, due_at, inquiry.lead_id, inquiry.id, sequence=sequence, now=now)
        for kind, key, due_at, sequence in owed
    ]
    return insert_owed([*values, *also])


def cancel_pending(lead_id: int, kinds: Iterable[str] | None = None, inquiry_id: int | None = None) -> int:
    """Cancel the lead's unsent emails (of `kinds`, for one inquiry if given). Returns how many."""
    query = db.update(OutboundEmail).where(
        OutboundEmail.lead_id == lead_id, OutboundEmail.status == EmailStatus.PENDING
    )
    if kinds is not None:
        query = query.where(OutboundEmail.kind.in_(list(kinds)))
    if inquiry_id is not None:
        query = query.where(OutboundEmail.inquiry_id == inquiry_id)
    result = db.session.execute(
        query.values(status=EmailStatus.CANCELLED), execution_options={"synchronize_session": False}
    )
    return result.rowcount or 0


def coordinator_addresses(active: list[str] | None = None) -> list[str]:
    """Every active account once accounts exist; the COORDINATOR_EMAILS setting until then.

    Admins coordinate too (and the first account `make run` creates is an admin): leaving
    them out would send a red-flag alert nowhere in a clinic without a coordinator account.
    `active` is the active accounts' addresses, when the caller has read them already.
    """
    from leads.models import User

    if active is None:
        active = list(db.session.scalars(db.select(User.email).where(User.active.is_(True))))
    return active or list(current_app.config["COORDINATOR_EMAILS"])


def schedule_urgent_alert(lead: Lead, reason_key: str) -> list[OutboundEmail]:
    """An alert to each coordinator, due now. `reason_key` makes it once per cause (e.g. a response id)."""
    now = utcnow()
    addresses = coordinator_addresses()
    if not addresses:
        # Nobody to tell: say so loudly, the lead is still marked urgent in the inbox.
        log.warning("urgent lead %s: no coordinator account or COORDINATOR_EMAILS to alert", lead.id)
    return [
        owe(EmailKind.URGENT_ALERT, f"urgent:{reason_key}:{address.lower()}", now, lead.id, recipient=address)
        for address in addresses
    ]


def publish(email_ids: Iterable[int]) -> int:
    """Ask a worker to look at these rows now. Best effort: the sweeper catches anything lost.

    Returns how many were handed to the broker.
    """
    celery = current_app.extensions["celery"]
    published = 0
    for email_id in email_ids:
        try:
            celery.send_task(SEND_TASK, args=[email_id])
        except Exception as error:  # noqa: BLE001  (a broker outage must never fail the caller)
            log.warning(
                "broker unavailable, email %s left to the sweeper: %s", email_id, type(error).__name__
            )
            break
        published += 1
    return published


def due_now(rows: Iterable[OutboundEmail], now: datetime | None = None) -> list[int]:
    """Ids of the rows that are due already (to publish right after the commit)."""
    now = now or utcnow()
    return [row.id for row in rows if row.due_at <= now]


def due_soon(rows: Iterable[OutboundEmail], now: datetime | None = None) -> list[tuple[int, datetime]]:
    """(id, due time) of rows due later, but soon enough for a broker message held until then
    (within the retry bound, which start-up keeps below the broker's visibility timeout)."""
    now = now or utcnow()
    horizon = now + timedelta(seconds=current_app.config["EMAIL_RETRY_MAX_SECONDS"])
    return [(row.id, row.due_at) for row in rows if now < row.due_at <= horizon]


def _may_hold_until(at: datetime) -> bool:
    """Redis hands a message held past its visibility timeout to another worker, again and
    again: a time further ahead than the longest retry delay (checked against that
    timeout at start-up) is left to the sweeper instead."""
    return at - utcnow() <= timedelta(seconds=current_app.config["EMAIL_RETRY_MAX_SECONDS"])


def publish_together(due_now: list[int], due_soon: Iterable[tuple[int, datetime]] = ()) -> int:
    """publish() and publish_at() of one transaction's rows, in one round trip to the broker
    (a pipeline on Redis; one by one on a broker without batches). Best effort, like publish().

    Returns how many rows due now were handed to the broker: all of them, or none.
    """
    celery = current_app.extensions["celery"]
    held = [(email_id, at) for email_id, at in due_soon if _may_hold_until(at)]
    if not due_now and not held:
        return 0
    try:
        with celery.producer_or_acquire() as producer, producer.batch():
            for email_id in due_now:
                celery.send_task(SEND_TASK, args=[email_id], producer=producer)
            for email_id, at in held:
                celery.send_task(SEND_TASK, args=[email_id], eta=at, producer=producer)
    except Exception as error:  # noqa: BLE001  (a broker outage must never fail the caller)
        log.warning("broker unavailable, emails %s left to the sweeper: %s", due_now, type(error).__name__)
        return 0
    return len(due_now)


def publish_at(email_id: int, at: datetime) -> bool:
    """Ask a worker to look at row `email_id` at `at` (a retry). Best effort, like publish().

    A time beyond the longest retry delay is left to the sweeper (_may_hold_until).
    """
    if not _may_hold_until(at):
        return False
    try:
        current_app.extensions["celery"].send_task(SEND_TASK, args=[email_id], eta=at)
    except Exception as error:  # noqa: BLE001  (the sweeper catches whatever is not published)
        log.warning(
            "broker unavailable, retry of email %s left to the sweeper: %s", email_id, type(error).__name__
        )
        return False
    return True


def publish_batches(count: int) -> int:
    """Ask for `count` batch sends (each claims due rows until none is left). Returns how many went."""
    celery = current_app.extensions["celery"]
    published = 0
    for _ in range(count):
        try:
            celery.send_task(BATCH_TASK)
        except Exception as error:  # noqa: BLE001  (the next sweep tries again)
            log.warning("broker unavailable, batch send not published: %s", type(error).__name__)
            break
        published += 1
    return published


def resend(email_id: int) -> OutboundEmail:
    """Put a failed email back in the queue, due now, with fresh attempts. The caller commits, then publishes."""
    row = db.session.get(OutboundEmail, email_id)
    if row is None:
        raise LookupError(f"no email {email_id}")
    if row.status != EmailStatus.FAILED:
        raise ValueError(f"email {email_id} is {row.status}, only failed emails can be re-sent")
    row.status = EmailStatus.PENDING
    row.attempts = 0
    row.due_at = utcnow()
    row.claimed_at = None
    row.lease_expires_at = None
    return row
