"""`flask outbox …`: see the queue, sweep it, or send what is due without a worker."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from leads.extensions import db
from leads.models import EmailStatus, OutboundEmail

outbox_cli = AppGroup("outbox", help="Inspect and drive the email outbox.")


@outbox_cli.command("status")
def status_command() -> None:
    """Count the emails per status."""
    counts = dict(
        db.session.execute(
            db.select(OutboundEmail.status, db.func.count()).group_by(OutboundEmail.status)
        ).all()
    )
    for status in EmailStatus:
        click.echo(f"{status.value:<10} {counts.get(status.value, 0)}")
    if not current_app.config["MAIL_SERVER"]:
        click.echo(f"(no MAIL_SERVER: messages are written to {current_app.config['MAIL_OUTBOX_DIR']})")


@outbox_cli.command("sweep")
def sweep_command() -> None:
    """Release rows stuck in `sending` and ask the workers to send the due ones."""
    from leads.mail.sweep import sweep

    result = sweep()
    click.echo(f"released {result.released}, due {result.due}, batches published {result.batches_published}")


@outbox_cli.command("send-due")
@click.option("--limit", default=500, show_default=True, help="At most this many emails.")
def send_due_command(limit: int) -> None:
    """Send the due emails from this process, without a worker."""
    from leads.mail.claim import release_stuck
    from leads.mail.delivery import open_transport
    from leads.mail.send import send_batch

    release_stuck()
    with open_transport() as transport:
        outcomes = send_batch(limit, transport)
    sent = sum(outcome.status == EmailStatus.SENT for outcome in outcomes)
    click.echo(f"handled {len(outcomes)}, sent {sent}")
