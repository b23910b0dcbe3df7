"""Export tasks: thin wrappers around service functions."""

from __future__ import annotations

from celery import shared_task

from leads import task_names
from leads.dashboard.export_jobs import run_export


@shared_task(name=task_names.EXPORT_CSV)
def export_csv(job_id: int) -> int | None:
    """Write a large CSV export to instance/exports/; returns the rows written."""
    job = run_export(job_id)
    return job.rows_done if job is not None else None
