"""WordPress sync task: a thin wrapper around the service, scheduled by beat every WP_SYNC_MINUTES."""

from __future__ import annotations

import logging

from celery import shared_task
from flask import current_app

from leads import task_names
from leads.wordpress.client import SiteOptions
from leads.wordpress.state import SyncBusy
from leads.wordpress.sync import run_sync

log = logging.getLogger(__name__)


@shared_task(name=task_names.SYNC_WORDPRESS)
def sync_wordpress() -> dict:
    """One sync of WP_SITE_URL; what it did (and any error) is also kept for the dashboard."""
    options = SiteOptions.from_config(current_app.config, current_app.config["WP_SITE_URL"])
    try:
        report = run_sync(options)
    except SyncBusy:
        log.info("wordpress sync skipped: the previous run is still going")
        return {"skipped": True}
    if report.error or report.post_errors:
        log.warning(
            "wordpress sync: %s; %d posts not imported", report.error or "complete", len(report.post_errors)
        )
    return report.counts() | {"error": report.error, "post_errors": len(report.post_errors)}
