"""The inbox and its CSV export."""

from __future__ import annotations

from flask import Response, current_app, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user

from leads.dashboard import export
from leads.dashboard.export_jobs import start_export
from leads.dashboard.filters import parse_filters, status_counts
from leads.dashboard.inbox import count_rows, load_page
from leads.dashboard.pagination import SORTS, BadCursor
from leads.dashboard.pipeline import LABELS
from leads.dashboard.routes import bp
from leads.errors import render_error
from leads.extensions import db
from leads.models import Article
from leads.models.base import utcnow

CURSOR_MAX = 500


@bp.get("/")
def inbox():
    filters, problems = parse_filters(request.args, SORTS)
    cursor = request.args.get("after", "")[: CURSOR_MAX + 1] or None
    now = utcnow()
    try:
        if cursor and len(cursor) > CURSOR_MAX:
            raise BadCursor("too long")
        page = load_page(filters, current_user.id, now, cursor, current_app.config["INBOX_PAGE_SIZE"])
    except BadCursor:
        return render_error(
            400, "That page link is not valid", "The link may be cut short. Start again from the first page."
        )
    articles = db.session.execute(db.select(Article.id, Article.title).order_by(Article.title)).all()
    return render_template(
        "dashboard/inbox.html",
        filters=filters,
        problems=problems,
        page=page,
        counts=status_counts(filters, current_user.id),
        articles=articles,
        sorts=SORTS,
        labels=LABELS,
        now=now,
        cursor=cursor,
    )


@bp.get("/export.csv")
def export_csv():
    """The current filtered view as CSV, streamed chunk by chunk (audit-logged before the first byte),
    or, past EXPORT_INLINE_MAX_ROWS, written by a worker while a page shows the progress."""
    filters, _problems = parse_filters(request.args, SORTS)
    now = utcnow()
    rows = count_rows(filters, current_user.id)
    if rows > current_app.config["EXPORT_INLINE_MAX_ROWS"]:
        # Too long for a request: a worker writes the file; the page shows its progress.
        job = start_export(filters, current_user.id, rows)
        return redirect(url_for("dashboard.export_job", job_id=job.id), 303)
    export.record_export(filters, current_user.id, rows)
    return Response(
        stream_with_context(export.csv_chunks(filters, current_user.id, now)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="leads-{now:%Y%m%d-%H%M}.csv"',
            "Cache-Control": "no-store",
        },
    )
