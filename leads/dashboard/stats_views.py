"""The statistics page."""

from __future__ import annotations

from flask import render_template

from leads.dashboard import charts, stats
from leads.dashboard.routes import bp
from leads.models.base import utcnow


@bp.get("/stats")
def stats_page():
    data = stats.collect(utcnow())
    funnel_items = [(stage.label, stage.count) for stage in data.funnel]
    page_charts = {
        "funnel": charts.bar_chart(
            "funnel", "Pipeline funnel", "Leads that reached each stage of the pipeline.", funnel_items
        ),
        "per_day": charts.column_chart(
            "per-day", f"Leads per day, last {stats.DAYS} days", "New leads on each day (UTC).", data.per_day
        ),
        "articles": charts.bar_chart(
            "articles", "Inquiries by article", "Inquiries per article.", data.by_article
        ),
        "sources": charts.bar_chart(
            "sources", "Inquiries by source", "Inquiries per UTM source; (direct) when none.", data.by_source
        ),
        "emails": charts.bar_chart(
            "emails", "Emails by state", "Every email in the outbox, by state.", data.emails
        ),
    }
    return render_template("dashboard/stats.html", stats=data, charts=page_charts)
