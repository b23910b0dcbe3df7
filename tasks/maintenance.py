"""Maintenance tasks: thin wrappers around service functions."""

from __future__ import annotations

from celery import shared_task

from leads import task_names
from leads.dashboard.vacuum import vacuum_tables


@shared_task(name=task_names.VACUUM_TABLES)
def vacuum(tables: list[str]) -> list[str]:
    """After an erasure: reclaim the old row versions that still hold the erased values."""
    return vacuum_tables(tables)
