"""Deliver one owed webhook: claim the row, POST it signed, record the outcome; retry with the
email outbox's backoff until WEBHOOK_MAX_ATTEMPTS. No transaction is open during the POST."""

from __future__ import annotations

import http.client
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.error import HTTPError

from flask import current_app

from leads.articles.fetch import RefusedAddress, post_url
from leads.extensions import db
from leads.mail.send import backoff_seconds
from leads.models import WebhookDelivery
from leads.models.base import utcnow
from leads.webhooks import signing

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"

REFUSED = (
    "Refused: the address is on a private, loopback or link-local network "
    "(set WEBHOOK_ALLOW_PRIVATE_NETWORK if that is intended)"
)


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
    # A refused address stays refused until the URL or the setting changes: no retries.
    return record(delivery_id, attempts, code, error, permanent=error == REFUSED)


def post(url: str, secret: str, message_id: str, body: bytes) -> tuple[int | None, str | None]:
    """(HTTP status, None) for a 2xx; otherwise the status (if any) and a one-line reason.

    Through the article fetcher's guard (SSRF): every address of the host must be public unless
    WEBHOOK_ALLOW_PRIVATE_NETWORK, no environment proxy, and a redirect is a failure (a signed
    body must not wander, and a 3xx must not lead the POST into the clinic's own network)."""
    timestamp = int(utcnow().timestamp())
    headers = {"Content-Type": "application/json", **signing.headers(secret, message_id, timestamp, body)}
    try:
        status = post_url(
            url,
            body,
            headers,
            timeout=current_app.config["WEBHOOK_TIMEOUT_SECONDS"],
            allow_private_network=current_app.config["WEBHOOK_ALLOW_PRIVATE_NETWORK"],
        )
        return status, None
    except HTTPError as failure:
        failure.close()
        return failure.code, f"HTTP {failure.code}"
    except RefusedAddress:
        return None, REFUSED
    except (OSError, http.client.HTTPException) as failure:
        return None, f"{type(failure).__name__}: {failure}"[:500]


def record(
    delivery_id: int, attempts: int, code: int | None, error: str | None, permanent: bool = False
) -> Outcome:
    now = utcnow()
    values: dict = {"last_status_code": code, "last_error": error, "claimed_at": None}
    if error is None:
        values |= {"status": SENT, "sent_at": now}
        outcome = Outcome(delivery_id, SENT)
    elif permanent or attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]:
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


def stuck_after() -> timedelta:
    """How long a row may stay `sending` before it counts as a dead worker's.

    The POST is cut at WEBHOOK_TIMEOUT_SECONDS; one email lease on top leaves room to claim and
    record on a slow database, so a live worker's row is never taken back (which would POST twice)."""
    config = current_app.config
    return timedelta(seconds=config["WEBHOOK_TIMEOUT_SECONDS"] + config["EMAIL_LEASE_SECONDS"])


def sweep(now: datetime | None = None) -> list[int]:
    """Give back rows a dead worker left in `sending`; the ids of the due pending rows."""
    now = now or utcnow()
    stuck_before = now - stuck_after()
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
