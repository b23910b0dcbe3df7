"""The statistics page's lead and inquiry figures come from counter rows the database keeps exact at
every commit: after each kind of write they equal a direct count over the leads and inquiries."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from leads.dashboard import stats
from leads.dashboard.actions import change_status
from leads.dashboard.erasure import erase_lead
from leads.dashboard.merge import merge_leads
from leads.extensions import db
from leads.models import Inquiry, InquiryOriginCount, Lead, LeadDayCount, LeadFunnelCount, LeadStatus
from leads.models.base import utcnow
from tests.dashboard.querycount import count_queries
from tests.factories import make_article, make_inquiry, make_lead


def _nonzero(rows) -> dict:
    return {tuple(key): int(total) for *key, total in rows if total}


def counters() -> dict[str, dict]:
    def summed(*columns, total):
        return _nonzero(db.session.execute(sa.select(*columns, sa.func.sum(total)).group_by(*columns)))

    return {
        "funnel": summed(LeadFunnelCount.status, LeadFunnelCount.contacted, total=LeadFunnelCount.total),
        "days": summed(LeadDayCount.day, total=LeadDayCount.total),
        "origins": summed(
            InquiryOriginCount.article_id, InquiryOriginCount.source, total=InquiryOriginCount.total
        ),
    }


def counted() -> dict[str, dict]:
    """The truth, counted row by row in Python from the leads and inquiries themselves."""
    live = db.session.execute(
        sa.select(Lead.status, Lead.first_contacted_at, Lead.created_at).where(Lead.merged_into_id.is_(None))
    ).all()
    inquiries = db.session.execute(sa.select(Inquiry.article_id, Inquiry.utm_source)).all()
    return {
        "funnel": dict(Counter((status, contacted is not None) for status, contacted, _created in live)),
        "days": dict(Counter((created.date(),) for _status, _contacted, created in live)),
        "origins": dict(Counter((article_id, source or "") for article_id, source in inquiries)),
    }


def test_stats_counters_stay_exact_through_every_kind_of_write(app, admin):
    now = utcnow()
    spine, knee = make_article(title="Spine"), make_article(title="Knee")
    leads = []
    for n, status in enumerate(list(LeadStatus) * 2):
        lead = make_lead(status=status, created_at=now - timedelta(days=n % 5, hours=n))
        make_inquiry(lead, spine if n % 2 else knee, utm_source=("google", None, "newsletter")[n % 3])
        leads.append(lead)
    db.session.commit()
    assert counters() == counted()

    change_status(leads[0], LeadStatus.CONTACTED, admin)  # new -> contacted, and now contacted
    change_status(leads[2], LeadStatus.LOST, admin, reason="No answer")
    assert counters() == counted()

    # The merged lead leaves the figures; its inquiries move; the target takes the earlier creation day.
    merge_leads(leads[1], leads[3], admin)
    assert counters() == counted()

    erase_lead(leads[3], admin)  # scrubs the inquiries' UTM source too
    assert counters() == counted()

    # Bulk statements (Core, no ORM events) and deletes are counted too.
    db.session.execute(
        sa.update(Lead).where(Lead.status == LeadStatus.TREATED).values(status=LeadStatus.QUALIFIED)
    )
    db.session.execute(
        sa.update(Lead).where(Lead.id == leads[5].id).values(created_at=now - timedelta(days=20))
    )
    db.session.execute(sa.update(Inquiry).where(Inquiry.utm_source == "google").values(utm_source="ads"))
    db.session.execute(sa.delete(Inquiry).where(Inquiry.lead_id == leads[-1].id))
    db.session.execute(sa.delete(Lead).where(Lead.id == leads[-1].id))
    db.session.commit()
    assert counters() == counted()
    # A source no inquiry has any more leaves no row behind (it may be text a patient typed).
    assert "google" not in set(db.session.scalars(sa.select(InquiryOriginCount.source)))

    # A rolled-back change leaves the counters as they were.
    db.session.execute(sa.update(Lead).values(first_contacted_at=now))
    db.session.rollback()
    assert counters() == counted()
    assert sum(counters()["funnel"].values()) == 2 * len(LeadStatus) - 2


def test_page_figures_read_the_counter_rows_not_every_lead(app):
    now = utcnow()
    article = make_article(title="Spine")
    make_inquiry(make_lead(status=LeadStatus.CONTACTED, first_contacted_at=now), article, utm_source="google")
    make_inquiry(make_lead(created_at=now - timedelta(days=1)), article)
    db.session.commit()
    with count_queries() as statements:
        total, _stages, _closed = stats.funnel()
        days = dict(stats.per_day(now.date()))
        assert (stats.by_article(), stats.by_source()) == ([("Spine", 2)], [("(direct)", 1), ("google", 1)])
    assert total == 2
    assert days[now.date().isoformat()] == 1 and days[(now - timedelta(days=1)).date().isoformat()] == 1
    for statement in statements:
        assert " leads" not in statement and " inquiries" not in statement, statement
