"""`flask dev seed --leads N`: fake leads in bulk, for trying the dashboard at scale."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

dev_cli = AppGroup("dev", help="Development helpers (refused in production).")


@dev_cli.command("seed")
@click.option("--leads", "total", type=click.IntRange(1, 10_000_000), required=True, help="How many leads.")
def seed_command(total: int) -> None:
    """Add N fake leads (example.com addresses), each with one inquiry."""
    from leads.devtools.seed import seed_leads

    if current_app.config["PRODUCTION"]:
        raise click.ClickException("refused: fake leads do not belong in a production database")
    started = time.perf_counter()
    first_id = seed_leads(total)
    click.echo(f"{total} leads added (ids from {first_id}) in {time.perf_counter() - started:.1f} s")
