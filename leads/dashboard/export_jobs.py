"""Large CSV exports on a worker: the request only records the job; the task writes the file.

Nothing a coordinator clicks waits on gunicorn's timeout: the page shows the rows written so far
and offers the file when the worker has renamed it into place (a half-written file is never served).
"""

from __future__ import annotations

import csv
import logging
import secrets
import time
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from leads import task_names
from leads.audit.service import AuditAction, record_audit
from leads.dashboard.export import BOM, CHUNK, HEADER, row_cells
from leads.dashboard.filters import InboxFilters, parse_filters
from leads.dashboard.inbox import count_rows, iter_rows
from leads.dashboard.pagination import SORTS
from leads.extensions import db
from leads.models import ExportJob, ExportState
from leads.models.base import utcnow

log = logging.getLogger(__name__)
# Progress is written after every this many rows (one small UPDATE each).
PROGRESS_EVERY = 5000
# A finished file holds patients' details: it is kept long enough to be downloaded, no longer.
KEEP_SECONDS = 24 * 3600


def exports_dir() -> Path:
    path = Path(current_app.config["INSTANCE_PATH"]) / "exports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def job_file(job: ExportJob) -> Path | None:
    """The finished file, or None while it is being written (or if it is gone)."""
    if job.state != ExportState.DONE or not job.file_name:
        return None
    path = exports_dir() / job.file_name
    return path if path.is_file() else None


def discard_files(older_than_seconds: float = 0) -> int:
    """Delete export files (finished or partial) older than this; all of them by default, as after
    an erasure, whose person a file may hold. Returns how many were deleted."""
    cutoff = time.time() - older_than_seconds
    deleted = 0
    for path in exports_dir().iterdir():
        if path.is_file() and path.stat().st_mtime <= cutoff:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


def start_export(filters: InboxFilters, user_id: int, rows: int) -> ExportJob:
    """Record the job and the audit entry, commit, then hand the job to a worker."""
    discard_files(older_than_seconds=KEEP_SECONDS)
    job = ExportJob(user_id=user_id, filters=filters.query_args(), rows_total=rows)
    db.session.add(job)
    record_audit(AuditAction.LEADS_EXPORTED, "lead", None, filters=filters.for_audit(), rows=rows)
    db.session.commit()
    current_app.extensions["celery"].send_task(task_names.EXPORT_CSV, args=[job.id])
    return job


def _set(job_id: int, **values) -> None:
    """Write the job's progress on a connection of its own: the export's reads go on meanwhile."""
    with db.engine.begin() as conn:
        conn.execute(sa.update(ExportJob).where(ExportJob.id == job_id).values(**values))


def run_export(job_id: int) -> ExportJob | None:
    """Write the job's CSV to instance/exports/ in keyset chunks (memory stays flat). Idempotent:
    a job already done is left alone; a job taken again after a crash starts its file afresh."""
    job = db.session.get(ExportJob, job_id)
    if job is None or job.state == ExportState.DONE:
        return job
    filters, _problems = parse_filters(job.filters, SORTS)
    name = f"leads-{job.id}-{secrets.token_urlsafe(16)}.csv"
    final = exports_dir() / name
    partial = final.with_suffix(".part")
    total = count_rows(filters, job.user_id)
    _set(job.id, state=ExportState.RUNNING, rows_total=total, rows_done=0)
    done = 0
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            out.write(BOM)
            writer = csv.writer(out)
            writer.writerow(HEADER)
            for done, row in enumerate(iter_rows(filters, job.user_id, utcnow(), chunk=CHUNK), start=1):
                writer.writerow(row_cells(row))
                if done % PROGRESS_EVERY == 0:
                    _set(job.id, rows_done=done)
        partial.rename(final)
    except Exception as error:
        partial.unlink(missing_ok=True)
        _set(job.id, state=ExportState.FAILED, finished_at=utcnow())
        log.error("export job %s failed: %s", job.id, type(error).__name__)
        raise
    _set(job.id, state=ExportState.DONE, rows_done=done, file_name=name, finished_at=utcnow())
    db.session.expire(job)
    return job
