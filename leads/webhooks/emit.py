"""Owe webhook deliveries for new timeline events, in the same transaction; publish after commit."""

from __future__ import annotations

import logging
import secrets

import sqlalchemy as sa
from flask import current_app, has_app_context

from leads import task_names
from leads.extensions import db
from leads.models import LeadEvent, WebhookDelivery, WebhookEndpoint
from leads.models.base import utcnow
from leads.webhooks.events import TYPES, payload

log = logging.getLogger(__name__)

_OWED = "webhooks.owed"
_PUBLISH = "webhooks.publish"


def _owe(session, flush_context, instances) -> None:
    new_events = [obj for obj in session.new if isinstance(obj, LeadEvent)]
    events = [event for event in new_events if event.kind in TYPES]
    if not events:
        return
    with session.no_autoflush:
        endpoints = session.scalars(sa.select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))).all()
    owed = session.info.setdefault(_OWED, [])
    for event in events:
        if event.created_at is None:
            event.created_at = utcnow()
        for endpoint in endpoints:
            if TYPES[event.kind] not in (endpoint.events or []):
                continue
            delivery = WebhookDelivery(
                endpoint_id=endpoint.id,
                lead_id=event.lead_id,
                event_type=TYPES[event.kind],
                message_id=f"msg_{secrets.token_hex(12)}",
                payload=payload(event, endpoint.allow_health_details),
            )
            session.add(delivery)
            owed.append(delivery)


def _collect_ids(session, flush_context) -> None:
    owed = session.info.pop(_OWED, [])
    if owed:
        session.info.setdefault(_PUBLISH, []).extend(delivery.id for delivery in owed)


def _publish_after_commit(session) -> None:
    ids = session.info.pop(_PUBLISH, [])
    if ids and has_app_context():
        publish(ids)


def _forget(session) -> None:
    session.info.pop(_OWED, None)
    session.info.pop(_PUBLISH, None)


def publish(delivery_ids: list[int]) -> int:
    """Best effort, like the email outbox: the sweep publishes whatever the broker missed."""
    celery = current_app.extensions["celery"]
    published = 0
    for delivery_id in delivery_ids:
        try:
            celery.send_task(task_names.DELIVER_WEBHOOK, args=[delivery_id])
        except Exception as error:  # noqa: BLE001  (a broker outage must never fail the caller)
            log.warning(
                "broker unavailable, webhook %s left to the sweep: %s", delivery_id, type(error).__name__
            )
            break
        published += 1
    return published


def _forget_on_rollback(session, previous_transaction) -> None:
    _forget(session)


LISTENERS = (
    ("before_flush", _owe),
    ("after_flush", _collect_ids),
    ("after_commit", _publish_after_commit),
    ("after_soft_rollback", _forget_on_rollback),
)


def init_app(app) -> None:
    """Listen on the session once per process (every app shares `db.session`)."""
    for name, listener in LISTENERS:
        if not sa.event.contains(db.session, name, listener):
            sa.event.listen(db.session, name, listener)
