"""`flask mail receive`: one RFC 5322 message on standard input, as Postfix or Exim pipe it to a program.

Exit status 0 when the message was taken (stored, kept as unmatched, or dropped as automatic mail);
65 (EX_DATAERR) with one line on standard error for input that is not mail or is too large."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

EX_DATAERR = 65

mail_cli = AppGroup("mail", help="Inbound mail: patient replies.")


@mail_cli.command("receive")
def receive_command() -> None:
    """Read one message from standard input and put it on its lead's thread."""
    from leads.inbound.receive import Rejected, receive

    # One byte past the limit is enough to know it is too large, without reading 30 MB into memory.
    raw = sys.stdin.buffer.read(current_app.config["INBOUND_MAX_BYTES"] + 1)
    try:
        outcome = receive(raw)
    except Rejected as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EX_DATAERR)
    if outcome.status == "stored":
        click.echo(f"stored reply {outcome.inbound_id} on lead {outcome.lead_id}")
    elif outcome.status == "unmatched":
        click.echo(f"kept message {outcome.inbound_id} as unmatched")
    else:
        click.echo(f"dropped: {outcome.reason}")
