"""The coordinators' side at a million leads, over HTTP as a logged-in coordinator: the inbox,
its searches, the statistics page, and the CSV export of every lead through the worker.

The leads are loaded with `flask dev seed` (COPY on PostgreSQL) into the running stack's
database; the inbox's deep-page cursor is computed as its "next page" link would carry it.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa

from bench.load import Browser, percentile
from bench.stack import COORDINATOR, COORDINATOR_PASSWORD, Stack, create_coordinator, flask, rss_mb
from leads import create_app
from leads.extensions import db
from leads.models import ExportJob, ExportState, Lead

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def seed(stack: Stack, total: int) -> float:
    started = time.perf_counter()
    flask(stack.env, "dev", "seed", "--leads", str(total))
    return time.perf_counter() - started


def logged_in(stack: Stack) -> Browser:
    browser = Browser(stack.base_url)
    _status, page = browser.get("/login")
    token = CSRF.search(page.decode()).group(1)
    status, _headers = browser.post_form(
        "/login", {"csrf_token": token, "email": COORDINATOR, "password": COORDINATOR_PASSWORD}
    )
    if status not in (302, 303):
        raise RuntimeError(f"the bench coordinator could not log in ({status})")
    return browser


def search_terms(stack: Stack, total: int) -> dict[str, str]:
    """Query strings of the inbox views to time, from the seeded rows."""
    from bench.inbox_scale import cursor_at
    from leads.dashboard.filters import parse_filters
    from leads.dashboard.pagination import SORTS

    app = create_app(env=stack.env)
    with app.app_context():
        everyone, _ = parse_filters({}, SORTS)
        deep_cursor = cursor_at(everyone, total // 2)
        middle = db.session.scalars(sa.select(Lead).order_by(Lead.id).offset(total // 3).limit(1)).one()
        first, surname = middle.full_name.split()[0], middle.full_name.split()[-1]
        db.session.remove()
        db.engine.dispose()
    return {
        "inbox, first page": "",
        "inbox, status=new": urlencode({"status": "new"}),
        f"inbox, page at row {total // 2:,} (keyset)": urlencode({"after": deep_cursor}),
        "search, exact email": urlencode({"q": middle.email}),
        "search, name fragment": urlencode({"q": f"{first[1:]} {surname[:4]}"}),
        "search, a common first name": urlencode({"q": first}),
    }


def timed_gets(browser: Browser, path: str, n: int) -> dict:
    for _ in range(3):  # warm-up
        browser.get(path)
    durations = []
    for _ in range(n):
        started = time.perf_counter()
        status, _content = browser.get(path)
        durations.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
    return {"n": n, "p50_ms": percentile(durations, 0.5), "p95_ms": percentile(durations, 0.95)}


def dashboard_pages(stack: Stack, total: int, n: int) -> dict:
    create_coordinator(stack.env)
    browser = logged_in(stack)
    figures = {}
    for name, query in search_terms(stack, total).items():
        figures[name] = timed_gets(browser, "/dashboard/" + (f"?{query}" if query else ""), n)
    figures["statistics page"] = timed_gets(browser, "/dashboard/stats", n)
    return figures


def export_everything(stack: Stack, timeout: float = 900.0) -> dict:
    """Click "export" on the unfiltered inbox; follow the job page until the file is ready."""
    browser = logged_in(stack)
    started = time.monotonic()
    status, headers = browser.request("GET", "/dashboard/export.csv")[:2]
    if status != 303:
        raise RuntimeError(f"a large export should hand over to a worker (303), got {status}")
    job_page = urlsplit(headers["Location"]).path
    job_id = int(job_page.rstrip("/").rsplit("/", 1)[1])
    app = create_app(env=stack.env)
    progress, peak_rss = [], 0.0
    click_answered = time.monotonic() - started
    with app.app_context():
        while time.monotonic() - started < timeout:
            page_status, _page = browser.get(job_page)  # what the coordinator's page shows meanwhile
            job = db.session.get(ExportJob, job_id)
            peak_rss = max(peak_rss, *(rss_mb(pid) for pid in stack.worker.pids()))
            progress.append((round(time.monotonic() - started, 1), job.rows_done, page_status))
            if job.state in (ExportState.DONE, ExportState.FAILED):
                break
            db.session.remove()
            time.sleep(2)
        state, rows_done, rows_total = job.state, job.rows_done, job.rows_total
        db.session.remove()
        db.engine.dispose()
    return {
        "state": str(state),
        "rows": rows_done,
        "rows_total": rows_total,
        "seconds": time.monotonic() - started,
        "click_answered_ms": click_answered * 1000,
        "worker_peak_rss_mb": peak_rss,
        "progress": progress[:: max(1, len(progress) // 12)],
    }
