"""Webhook tasks: thin wrappers around leads/webhooks/deliver.py."""

from __future__ import annotations

from celery import shared_task
from flask import current_app

from leads import task_names
from leads.webhooks.deliver import deliver, sweep
from leads.webhooks.emit import publish


@shared_task(name=task_names.DELIVER_WEBHOOK)
def deliver_webhook(delivery_id: int) -> str:
    """POST one owed webhook; a retry is published for when its backoff ends."""
    outcome = deliver(delivery_id)
    if outcome.retry_at is not None:
        current_app.extensions["celery"].send_task(
            task_names.DELIVER_WEBHOOK, args=[delivery_id], eta=outcome.retry_at
        )
    return outcome.status


@shared_task(name=task_names.SWEEP_WEBHOOKS)
def sweep_webhooks() -> int:
    """Beat: take back stuck rows and publish the due ones the broker lost."""
    return publish(sweep())
