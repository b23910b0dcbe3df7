"""`flask retention run [--dry-run]`: erase the leads past the retention window, or list them."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

retention_cli = AppGroup("retention", help="Erase personal data past RETENTION_MONTHS.")


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Only show which leads would be erased; change nothing.")
def run_command(dry_run: bool) -> None:
    """Erase every lead inactive (or closed, or lost) for RETENTION_MONTHS, as the scheduled task does."""
    from leads.retention.service import run_retention

    months = current_app.config["RETENTION_MONTHS"]
    if months <= 0:
        click.echo("RETENTION_MONTHS is 0: retention is off, nothing is erased.")
        return
    report = run_retention(dry_run=dry_run)
    verb = "would erase" if dry_run else "erased"
    # Ids and counts only: names and addresses never reach a terminal or a log.
    click.echo(
        f"cutoff {report.cutoff:%Y-%m-%d %H:%M} UTC ({months} months): {verb} {len(report.lead_ids)} leads"
    )
    for status, count in sorted(report.by_status.items()):
        click.echo(f"  {status:<20} {count}")
    if report.lead_ids:
        click.echo("lead ids: " + " ".join(str(lead_id) for lead_id in report.lead_ids))
    if report.failed_ids:
        click.echo("failed (see the log): " + " ".join(str(lead_id) for lead_id in report.failed_ids))
        raise SystemExit(1)
