"""`flask doctor`: the readiness checks, explained for a person, with what to do about each failure."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from leads.readiness import run_checks


@click.command("doctor")
@with_appcontext
def doctor_command() -> None:
    """Check the database, migrations, broker and outbox; exit 1 when any fails."""
    checks = run_checks()
    for check in checks:
        mark = "ok  " if check.ok else "FAIL"
        click.echo(f"[{mark}] {check.name}: {check.detail}")
        if not check.ok and check.advice:
            click.echo(f"       what to do: {check.advice}")
    failed = [check.name for check in checks if not check.ok]
    if failed:
        click.echo(f"{len(failed)} check(s) failed: {', '.join(failed)}", err=True)
        raise SystemExit(1)
    click.echo("All checks passed.")
