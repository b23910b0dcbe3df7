"""Export files hold patients' details: an erasure deletes them, and none is kept past a day."""

from __future__ import annotations

import os
import time

from leads.dashboard.erasure import erase_lead
from leads.dashboard.export_jobs import KEEP_SECONDS, exports_dir, job_file, run_export, start_export
from leads.dashboard.filters import InboxFilters
from leads.extensions import db
from leads.models import ExportJob
from tests.factories import make_inquiry, make_lead
from tests.helpers import log_in


def test_an_erasure_deletes_the_export_files_that_may_list_the_person(app, admin):
    lead = make_lead(full_name="Xenia Exported")
    make_inquiry(lead)
    db.session.commit()
    job = start_export(InboxFilters(), admin.id, rows=1)
    run_export(job.id)
    db.session.expire_all()
    path = job_file(db.session.get(ExportJob, job.id))
    assert path is not None and "Xenia Exported" in path.read_text(encoding="utf-8-sig")

    erase_lead(lead, admin)

    assert list(exports_dir().iterdir()) == []
    client = app.test_client()
    log_in(client, admin)
    assert "no longer kept" in client.get(f"/dashboard/exports/{job.id}").get_data(as_text=True)
    assert client.get(f"/dashboard/exports/{job.id}/download").status_code == 404


def test_a_new_export_deletes_files_older_than_a_day(app, admin):
    old, recent = exports_dir() / "leads-1-old.csv", exports_dir() / "leads-2-recent.csv"
    old.write_text("x")
    recent.write_text("x")
    past = time.time() - KEEP_SECONDS - 60
    os.utime(old, (past, past))
    start_export(InboxFilters(), admin.id, rows=0)
    assert not old.exists() and recent.exists()
    recent.unlink()
