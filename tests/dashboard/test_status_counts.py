"""The inbox's per-status counts come from counter rows the database keeps exact at every commit."""

from __future__ import annotations

import sqlalchemy as sa

from leads.dashboard import filters as filters_module
from leads.dashboard.actions import change_status
from leads.dashboard.erasure import erase_lead
from leads.dashboard.filters import InboxFilters, conditions, parse_filters, status_counts
from leads.dashboard.merge import merge_leads
from leads.dashboard.pagination import SORTS
from leads.extensions import db
from leads.models import Lead, LeadStatus, LeadStatusCount
from tests.dashboard.querycount import count_queries
from tests.factories import make_lead


def counted() -> dict[str, int]:
    """What a GROUP BY over every inbox lead says: the truth the counters must equal."""
    rows = db.session.execute(
        sa.select(Lead.status, sa.func.count())
        .where(*conditions(InboxFilters(), None, with_status=False))
        .group_by(Lead.status)
    )
    truth = {status.value: 0 for status in LeadStatus}
    truth.update(dict(rows.all()))
    return truth


def test_unfiltered_counts_read_the_counter_rows_not_every_lead(app):
    make_lead(status=LeadStatus.NEW)
    db.session.commit()
    with count_queries() as statements:
        counts = status_counts(InboxFilters(status="contacted"), None)
    assert counts["new"] == 1
    assert len(statements) == 1
    assert "lead_status_counts" in statements[0] and " leads" not in statements[0]


def test_counters_stay_exact_through_every_kind_of_write(app, admin):
    leads = [make_lead(status=status) for status in LeadStatus for _ in range(2)]
    db.session.commit()
    assert status_counts(InboxFilters(), None) == counted()

    change_status(leads[0], LeadStatus.CONTACTED, admin)  # new -> contacted
    change_status(leads[2], LeadStatus.LOST, admin, reason="No answer")
    assert status_counts(InboxFilters(), None) == counted()

    merge_leads(leads[1], leads[3], admin)  # the merged lead leaves the inbox
    assert status_counts(InboxFilters(), None) == counted()

    erase_lead(leads[3], admin)
    assert status_counts(InboxFilters(), None) == counted()

    # A bulk statement (Core, no ORM events) and a delete are counted too.
    db.session.execute(
        sa.update(Lead).where(Lead.status == LeadStatus.TREATED).values(status=LeadStatus.QUALIFIED)
    )
    db.session.execute(sa.delete(Lead).where(Lead.id == leads[-1].id))
    db.session.commit()
    assert status_counts(InboxFilters(), None) == counted()

    # A rolled-back change leaves the counters as they were.
    db.session.execute(sa.update(Lead).values(status=LeadStatus.LOST))
    db.session.rollback()
    assert status_counts(InboxFilters(), None) == counted()
    assert sum(status_counts(InboxFilters(), None).values()) == 2 * len(LeadStatus) - 2


def test_filtered_counts_still_count_the_matching_leads(app):
    make_lead(status=LeadStatus.NEW, full_name="Ana Fragment")
    make_lead(status=LeadStatus.NEW, full_name="Someone Else")
    db.session.commit()
    filters, _ = parse_filters({"q": "fragm"}, SORTS)
    assert status_counts(filters, None)["new"] == 1
    assert db.session.scalar(sa.select(sa.func.sum(LeadStatusCount.total))) == 2


def test_filtered_counts_are_exact_up_to_the_bound_and_more_than_beyond(app, coord_client, monkeypatch):
    monkeypatch.setattr(filters_module, "COUNT_BOUND", 3)
    for status in (LeadStatus.NEW, LeadStatus.NEW, LeadStatus.LOST):
        make_lead(status=status, full_name="Ana Common")
    make_lead(status=LeadStatus.NEW, full_name="Someone Else")
    db.session.commit()
    search, _ = parse_filters({"q": "ana"}, SORTS)
    exact = status_counts(search, None)
    assert (exact["new"], exact["lost"], exact.more_than) == (2, 1, None)
    html = coord_client.get("/dashboard/?q=ana").get_data(as_text=True)
    assert 'All <span class="count">3</span>' in html and "All 3 leads matching these filters" in html

    make_lead(status=LeadStatus.QUALIFIED, full_name="Ana Fourth")
    db.session.commit()
    assert status_counts(search, None).more_than == 3
    html = coord_client.get("/dashboard/?q=ana").get_data(as_text=True)
    assert 'All <span class="count">more than 3</span>' in html
    # The per-status figures are not known past the bound: none is shown rather than a wrong one.
    assert html.count('class="count"') == 1
    assert "All leads matching these filters" in html
    # Without a filter the counter rows give every figure exactly, whatever the bound.
    assert status_counts(InboxFilters(), None).more_than is None
    assert sum(status_counts(InboxFilters(), None).values()) == 5
