"""A large export runs on a real worker: the click answers at once, the page shows progress, the file
comes when ready, and only to the user who asked (gunicorn's timeout cut 1M rows at 27% before)."""

from __future__ import annotations

import csv
import io
import re
import time

import sqlalchemy as sa

from leads.extensions import db
from leads.models import AuditEntry, ExportJob, ExportState
from tests.factories import make_inquiry, make_lead, make_user
from tests.helpers import log_in


def test_a_large_export_is_written_by_a_worker_and_downloaded_when_ready(worker_app, start_worker):
    worker_app.config["EXPORT_INLINE_MAX_ROWS"] = 5
    coordinator = make_user(role="coordinator")
    other = make_user(role="coordinator")
    for number in range(12):
        make_inquiry(make_lead(full_name=f"=Export {number}", status="new"), message="line one\r\nline two")
    make_lead(status="lost")  # filtered out
    db.session.commit()
    client = worker_app.test_client()
    log_in(client, coordinator)

    response = client.get("/dashboard/export.csv?status=new")
    assert response.status_code == 303
    page_url = response.headers["Location"]
    job_id = int(re.search(r"/exports/(\d+)", page_url).group(1))
    waiting = client.get(page_url).get_data(as_text=True)
    assert '<meta http-equiv="refresh"' in waiting and "Download the CSV" not in waiting
    audited = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "leads.exported")).one()
    assert audited.details["rows"] == 12  # at the click, before any row is written

    worker = start_worker()
    deadline = time.monotonic() + 60
    while True:
        db.session.expire_all()
        job = db.session.get(ExportJob, job_id)
        if job.state in (ExportState.DONE, ExportState.FAILED):
            break
        assert time.monotonic() < deadline, worker.output()[-3000:]
        time.sleep(0.3)
    assert job.state == ExportState.DONE, worker.output()[-3000:]
    assert (job.rows_done, job.rows_total, job.percent) == (12, 12, 100)

    ready = client.get(page_url).get_data(as_text=True)
    assert "Download the CSV" in ready and "refresh" not in ready
    with client.get(f"{page_url}/download") as download:
        assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
        rows = list(csv.DictReader(io.StringIO(download.get_data().decode("utf-8-sig"))))
    assert len(rows) == 12 and {row["status"] for row in rows} == {"new"}
    assert all(row["name"].startswith("'=") for row in rows)  # formulas neutralised as inline

    stranger = worker_app.test_client()
    log_in(stranger, other)
    assert stranger.get(page_url).status_code == 404
    assert stranger.get(f"{page_url}/download").status_code == 404


def test_a_small_export_still_streams_in_the_request(worker_app):
    coordinator = make_user(role="coordinator")
    make_lead()
    db.session.commit()
    client = worker_app.test_client()
    log_in(client, coordinator)
    response = client.get("/dashboard/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert db.session.query(ExportJob).count() == 0
