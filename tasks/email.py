"""Email tasks: thin wrappers that take ids and call the mail service functions."""

from __future__ import annotations

import time

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


# A batch task goes on claiming batches while rows are due, for up to this long: the sweep
# publishes a few tasks a minute, and a backlog drains at the speed of SMTP, not of the sweep.
BATCH_TASK_SECONDS = 30


@shared_task(name=task_names.SEND_DUE_BATCH)
def send_due_batch(limit: int | None = None) -> int:
    """Claim due rows a batch at a time (one statement each) and send them over one SMTP
    connection, until none is due, a temporary failure, or BATCH_TASK_SECONDS. Returns how many it handled."""
    limit = limit or current_app.config["OUTBOX_BATCH_SIZE"]
    deadline = time.monotonic() + BATCH_TASK_SECONDS
    handled = 0
    with open_transport() as transport:
        while True:
            outcomes = send_batch(limit, transport)
            handled += len(outcomes)
            _reschedule(outcomes)
            stopped = any(outcome.retry_at is not None for outcome in outcomes)
            if len(outcomes) < limit or stopped or time.monotonic() > deadline:
                return handled


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
