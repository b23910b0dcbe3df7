"""`flask backup [FILE]` and `flask restore FILE`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app


@click.command("backup")
@click.argument("target", required=False, type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path | None) -> None:
    """Back up the database to TARGET (default: a timestamped file under BACKUP_DIR), mode 0600."""
    from leads.backup.service import BackupError, backup, default_path

    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        target = target or default_path(Path(current_app.config["BACKUP_DIR"]), uri)
        written = backup(uri, target)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"backup written to {written} ({written.stat().st_size} bytes)")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(source: Path, yes: bool) -> None:
    """Replace every row of the database with the backup in SOURCE."""
    from leads.backup.service import BackupError, restore
    from leads.extensions import db

    if not yes:
        click.confirm("This replaces everything in the database with the backup. Go on?", abort=True)
    # No pooled connection may hold the old tables (PostgreSQL) or pages (SQLite) open.
    db.engine.dispose()
    try:
        restore(current_app.config["SQLALCHEMY_DATABASE_URI"], source)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"restored {source}. If it comes from an older release, run `flask db upgrade` now.")
