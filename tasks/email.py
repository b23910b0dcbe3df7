"""Email tasks: thin wrappers that take ids and call the mail service functions."""

from __future__ import annotations

from celery import shared_task
from flask import current_app

from leads import task_names
from leads.extensions import db
from leads.mail.delivery import open_transport
from leads.mail.digest import schedule_digest as owe_digests
from leads.mail.outbox import due_now, publish, publish_at
from leads.mail.send import Outcome, deliver, send_batch
from leads.mail.sweep import sweep


def _reschedule(outcomes: list[Outcome]) -> None:
    """The row already says when; the broker message only saves waiting for the sweep."""
    for outcome in outcomes:
        if outcome.retry_at is not None:
            publish_at(outcome.email_id, outcome.retry_at)


@shared_task(name=task_names.SEND_EMAIL)
def send_email(email_id: int) -> str:
    """Send one outbox row (if it is still pending and due)."""
    with open_transport() as transport:
        outcome = deliver(email_id, transport)
    _reschedule([outcome])
    return outcome.status


@shared_task(name=task_names.SEND_DUE_BATCH)
def send_due_batch(limit: int | None = None) -> int:
    """Claim due rows one at a time and send them over one SMTP connection. Returns how many it handled."""
    with open_transport() as transport:
        outcomes = send_batch(limit or current_app.config["OUTBOX_BATCH_SIZE"], transport)
    _reschedule(outcomes)
    return len(outcomes)


@shared_task(name=task_names.SWEEP_OUTBOX)
def sweep_outbox() -> int:
    """Beat, every minute: release stuck rows and publish batch sends for the due ones."""
    return sweep().due


@shared_task(name=task_names.SCHEDULE_DIGEST)
def schedule_digest() -> int:
    """Beat, daily: owe each coordinator today's digest, then ask for it now."""
    rows = owe_digests()
    db.session.commit()
    publish(due_now(rows))
    return len(rows)
