"""Deliver one owed webhook: claim the row, POST it signed, record the outcome; retry with the
email outbox's backoff until WEBHOOK_MAX_ATTEMPTS. No transaction is open during the POST."""

from __future__ import annotations

import json
import logging
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.error import HTTPError, URLError

from flask import current_app

from leads.extensions import db
from leads.mail.send import backoff_seconds
from leads.models import WebhookDelivery
from leads.models.base import utcnow
from leads.webhooks import signing

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"

# Only http(s); a receiver's redirect is not followed (a signed body must not wander).
_opener = urllib.request.OpenerDirector()
for _handler in (
    urllib.request.ProxyHandler(),
    urllib.request.HTTPHandler(),
    urllib.request.HTTPSHandler(),
    urllib.request.HTTPDefaultErrorHandler(),
    urllib.request.HTTPErrorProcessor(),
):
    _opener.add_handler(_handler)


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    status: str  # sent, failed, pending (a retry is due at retry_at), or skipped
    retry_at: datetime | None = None


def claim(delivery_id: int, now: datetime | None = None) -> bool:
    """Take the row if it is pending and due: one conditional UPDATE, so one worker sends it."""
    now = now or utcnow()
    result = db.session.execute(
        db.update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == PENDING,
            WebhookDelivery.due_at <= now,
        )
        .values(status=SENDING, claimed_at=now, attempts=WebhookDelivery.attempts + 1),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    return result.rowcount == 1


def deliver(delivery_id: int) -> Outcome:
    if not claim(delivery_id):
        row = db.session.get(WebhookDelivery, delivery_id)
        early = row is not None and row.status == PENDING and row.due_at > utcnow()
        retry_at = row.due_at if early else None
        db.session.rollback()
        return Outcome(delivery_id, "skipped", retry_at)
    row = db.session.get(WebhookDelivery, delivery_id)
    url, secret, message_id = row.endpoint.url, row.endpoint.secret, row.message_id
    body = json.dumps(row.payload, separators=(",", ":")).encode()
    attempts = row.attempts
    db.session.rollback()  # nothing held open while the receiver answers
    code, error = post(url, secret, message_id, body)
    return record(delivery_id, attempts, code, error)


def post(url: str, secret: str, message_id: str, body: bytes) -> tuple[int | None, str | None]:
    """(HTTP status, None) for a 2xx; otherwise the status (if any) and a one-line reason."""
    timestamp = int(utcnow().timestamp())
    request = urllib.request.Request(  # noqa: S310  (http(s) handlers only)
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", **signing.headers(secret, message_id, timestamp, body)},
    )
    try:
        with _opener.open(request, timeout=current_app.config["WEBHOOK_TIMEOUT_SECONDS"]) as response:
            response.read(1024)
            return response.status, None
    except HTTPError as failure:
        failure.close()
        return failure.code, f"HTTP {failure.code}"
    except (URLError, TimeoutError, OSError) as failure:
        reason = getattr(failure, "reason", failure)
        return None, f"{type(failure).__name__}: {reason}"[:500]


def record(delivery_id: int, attempts: int, code: int | None, error: str | None) -> Outcome:
    now = utcnow()
    values: dict = {"last_status_code": code, "last_error": error, "claimed_at": None}
    if error is None:
        values |= {"status": SENT, "sent_at": now}
        outcome = Outcome(delivery_id, SENT)
    elif attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]:
        values["status"] = FAILED
        log.warning("webhook %s failed for good after %d attempts", delivery_id, attempts)
        outcome = Outcome(delivery_id, FAILED)
    else:
        retry_at = now + timedelta(seconds=backoff_seconds(attempts))
        values |= {"status": PENDING, "due_at": retry_at}
        outcome = Outcome(delivery_id, PENDING, retry_at)
    db.session.execute(
        db.update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == SENDING)
        .values(**values)
    )
    db.session.commit()
    return outcome


def sweep(now: datetime | None = None) -> list[int]:
    """Give back rows a dead worker left in `sending`; the ids of the due pending rows."""
    now = now or utcnow()
    stuck_before = now - timedelta(seconds=current_app.config["EMAIL_SENDING_TIMEOUT_SECONDS"])
    db.session.execute(
        db.update(WebhookDelivery)
        .where(WebhookDelivery.status == SENDING, WebhookDelivery.claimed_at < stuck_before)
        .values(status=PENDING, claimed_at=None)
    )
    due = db.session.scalars(
        db.select(WebhookDelivery.id)
        .where(WebhookDelivery.status == PENDING, WebhookDelivery.due_at <= now)
        .order_by(WebhookDelivery.due_at)
        .limit(500)
    ).all()
    db.session.commit()
    return list(due)
