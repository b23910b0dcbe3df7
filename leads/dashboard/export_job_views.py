"""A large export's page (progress, then the download link) and the download itself."""

from __future__ import annotations

from flask import abort, render_template, send_file
from flask_login import current_user

from leads.dashboard.export_jobs import job_file
from leads.dashboard.routes import bp
from leads.extensions import db
from leads.models import ExportJob


def _own_job(job_id: int) -> ExportJob:
    """The job, for the user who started it (or an admin); anyone else gets a 404, not a hint."""
    job = db.session.get(ExportJob, job_id)
    if job is None or (job.user_id != current_user.id and not current_user.is_admin):
        abort(404)
    return job


@bp.get("/exports/<int:job_id>")
def export_job(job_id: int):
    job = _own_job(job_id)
    return render_template("dashboard/export_job.html", job=job, ready=job_file(job) is not None)


@bp.get("/exports/<int:job_id>/download")
def export_download(job_id: int):
    job = _own_job(job_id)
    path = job_file(job)
    if path is None:
        abort(404)
    response = send_file(
        path,
        mimetype="text/csv",
        as_attachment=True,
        download_name=f"leads-{job.created_at:%Y%m%d-%H%M}.csv",
    )
    response.headers["Cache-Control"] = "no-store"
    return response
