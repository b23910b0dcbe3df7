"""`flask articles sync SITE_URL`"""

from __future__ import annotations

import click
from flask import current_app

from leads.wordpress.client import SiteOptions, SyncError
from leads.wordpress.sync import run_sync


@click.command("sync")
@click.argument("site_url", metavar="SITE_URL")
@click.option(
    "--allow-private-network",
    is_flag=True,
    help="Allow a site on loopback or private addresses (the clinic's own network).",
)
def sync_command(site_url: str, allow_private_network: bool) -> None:
    """Import new and changed posts from the WordPress site; hide the posts it no longer publishes."""
    config = current_app.config
    try:
        options = SiteOptions.from_config(
            config,
            site_url,
            allow_private_network=allow_private_network or config["WP_SYNC_ALLOW_PRIVATE_NETWORK"],
        )
        report = run_sync(options)
    except SyncError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"{options.site_url}: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.hidden} hidden"
    )
    for failed in report.post_errors:
        click.echo(f"Post {failed['wp_id']}: {failed['error']}", err=True)
    if report.error:
        raise click.ClickException(
            f"{report.error} (what was applied is kept; the next run goes on from there)"
        )
    if report.post_errors:
        raise click.exceptions.Exit(1)
