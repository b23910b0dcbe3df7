"""Retention task: a thin wrapper around the service, scheduled daily by beat."""

from __future__ import annotations

from celery import shared_task

from leads import task_names
from leads.retention.service import run_retention


@shared_task(name=task_names.APPLY_RETENTION)
def apply_retention() -> int:
    """Erase every lead past RETENTION_MONTHS (none when it is 0). Returns how many were erased."""
    return len(run_retention().lead_ids)
