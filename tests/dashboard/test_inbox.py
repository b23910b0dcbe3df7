"""The inbox: order, filters, search, keyset pagination, counts, the overdue badge, query count."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup

from leads.dashboard.filters import parse_filters, status_counts
from leads.dashboard.inbox import load_page
from leads.dashboard.pagination import SORTS
from leads.extensions import db
from leads.models import EmailKind, LeadStatus
from leads.models.base import utcnow
from tests.dashboard.conftest import make_email, make_response
from tests.dashboard.querycount import count_queries
from tests.factories import make_article, make_inquiry, make_lead, make_user

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday


def names(filters_args: dict | None = None, user_id=None, size=100) -> list[str]:
    filters, problems = parse_filters(filters_args or {}, SORTS)
    assert problems == []
    page = load_page(filters, user_id, NOW, size=size)
    return [row.lead.full_name for row in page.rows]


def test_urgent_first_then_score_then_newest(app):
    make_lead(full_name="low-old", score=10, last_inquiry_at=NOW - timedelta(days=3))
    make_lead(full_name="low-new", score=10, last_inquiry_at=NOW - timedelta(hours=1))
    make_lead(full_name="high", score=90, last_inquiry_at=NOW - timedelta(days=5))
    make_lead(full_name="urgent-low", score=0, is_urgent=True, last_inquiry_at=NOW - timedelta(days=9))
    db.session.commit()
    assert names() == ["urgent-low", "high", "low-new", "low-old"]
    assert names({"sort": "oldest"}) == ["urgent-low", "high", "low-old", "low-new"]
    assert names({"sort": "newest"}) == ["low-new", "low-old", "high", "urgent-low"]


def test_merged_leads_are_not_in_the_inbox(app):
    target = make_lead(full_name="stays")
    make_lead(full_name="merged-away", merged_into_id=target.id)
    db.session.commit()
    assert names() == ["stays"]


def test_filters(app, coordinator):
    other = make_user(full_name="Other")
    spine, knee = make_article(title="Spine"), make_article(title="Knee")
    a = make_lead(
        full_name="a",
        status=LeadStatus.CONTACTED,
        assignee_id=coordinator.id,
        created_at=NOW - timedelta(days=10),
    )
    b = make_lead(full_name="b", is_urgent=True, assignee_id=other.id, created_at=NOW - timedelta(days=2))
    c = make_lead(full_name="c", created_at=NOW)
    make_inquiry(a, spine, utm_source="google")
    make_inquiry(b, knee, utm_source="newsletter")
    make_inquiry(c, knee)
    make_response(make_inquiry(b, spine))
    db.session.commit()
    assert set(names({"status": "contacted"})) == {"a"}
    assert set(names({"urgent": "1"})) == {"b"}
    assert set(names({"article": str(spine.id)})) == {"a", "b"}
    assert set(names({"assignee": "mine"}, user_id=coordinator.id)) == {"a"}
    assert set(names({"assignee": "unassigned"})) == {"c"}
    assert set(names({"assignee": str(other.id)})) == {"b"}
    assert set(names({"assignee": "anyone"})) == {"a", "b", "c"}
    assert set(names({"source": "newsletter"})) == {"b"}
    day = lambda moment: moment.date().isoformat()  # noqa: E731
    assert set(names({"created_from": day(NOW - timedelta(days=3))})) == {"b", "c"}
    assert set(names({"created_to": day(NOW - timedelta(days=2))})) == {"a", "b"}
    assert set(
        names({"created_from": day(NOW - timedelta(days=2)), "created_to": day(NOW - timedelta(days=2))})
    ) == {"b"}
    assert set(names({"questionnaire": "answered"})) == {"b"}
    assert set(names({"questionnaire": "unanswered"})) == {"a", "c"}
    assert set(names({"article": str(knee.id), "urgent": "1"})) == {"b"}


def test_search_by_name_email_and_phone(app):
    make_lead(full_name="Maria O'Brien", email="maria.obrien@example.com", phone="+15551234567")
    make_lead(full_name="Mario Rossi", email="rossi@example.org", phone="+447700900123")
    make_lead(full_name="100% Real_Name", email="percent@example.net")
    db.session.commit()
    assert names({"q": "maria"}) == ["Maria O'Brien"]
    assert set(names({"q": "MARI"})) == {"Maria O'Brien", "Mario Rossi"}
    assert names({"q": "rossi@example.org"}) == ["Mario Rossi"]
    assert names({"q": "Maria.OBrien@"}) == ["Maria O'Brien"]
    assert names({"q": "+1 555 123"}) == ["Maria O'Brien"]
    assert names({"q": "44 7700"}) == ["Mario Rossi"]
    # LIKE wildcards are taken literally.
    assert names({"q": "100%"}) == ["100% Real_Name"]
    assert names({"q": "R_al"}) == []
    assert names({"q": "example.com"}) == []  # email matches by prefix only


@pytest.mark.parametrize("sort", list(SORTS))
def test_keyset_pagination_has_no_duplicates_and_no_gaps(app, sort):
    moment = NOW - timedelta(days=1)
    for n in range(23):
        # Many ties on every sort column, so the id must break them.
        make_lead(
            full_name=f"lead {n}",
            score=n % 3 * 10,
            is_urgent=n % 5 == 0,
            last_inquiry_at=moment + timedelta(minutes=n % 4),
            created_at=moment + timedelta(minutes=n % 2),
        )
    db.session.commit()
    filters, _ = parse_filters({"sort": sort}, SORTS)
    everything = [row.lead.id for row in load_page(filters, None, NOW, size=100).rows]
    seen, cursor, pages = [], None, 0
    while True:
        page = load_page(filters, None, NOW, cursor=cursor, size=5)
        seen.extend(row.lead.id for row in page.rows)
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert pages == 5
    assert seen == everything
    assert len(set(seen)) == 23


def test_pages_through_the_route_with_filters_kept(app, coord_client):
    app.config["INBOX_PAGE_SIZE"] = 2
    for n in range(5):
        make_lead(full_name=f"Paged {n}", score=n)
    make_lead(full_name="Closed one", status=LeadStatus.LOST, score=99)
    db.session.commit()
    page1 = coord_client.get("/dashboard/?status=new").get_data(as_text=True)
    assert "Paged 4" in page1 and "Paged 3" in page1 and "Paged 2" not in page1 and "Closed one" not in page1
    next_link = page1.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    assert "status=new" in next_link and "after=" in next_link and "offset" not in next_link
    page2 = coord_client.get(next_link).get_data(as_text=True)
    assert "Paged 2" in page2 and "Paged 1" in page2 and "Paged 4" not in page2


@pytest.mark.parametrize("cursor", ["garbage!!", "W10", "eyJ4IjoxfQ", "a" * 600, "WyJuZXdlc3QiLFsiYSIsMV1d"])
def test_a_bad_cursor_gets_a_clear_400(coord_client, cursor):
    response = coord_client.get(f"/dashboard/?after={cursor}")
    assert response.status_code == 400
    assert "page link is not valid" in response.get_data(as_text=True)


def test_bad_filter_values_are_ignored_with_a_notice(coord_client):
    response = coord_client.get(
        "/dashboard/?status=bogus&assignee=x%27&article=%C2%B2&sort=nope&created_from=2026-13-45&questionnaire=z"
    )
    assert response.status_code == 200
    assert "were not understood" in response.get_data(as_text=True)


def test_counts_per_status(app):
    for status, how_many in [(LeadStatus.NEW, 3), (LeadStatus.CONTACTED, 2), (LeadStatus.LOST, 1)]:
        for _ in range(how_many):
            make_lead(status=status)
    make_lead(status=LeadStatus.NEW, is_urgent=True)
    make_lead(status=LeadStatus.NEW, merged_into_id=None)
    db.session.commit()
    filters, _ = parse_filters({"status": "contacted"}, SORTS)
    counts = status_counts(filters, None)  # the status filter itself does not narrow the counts
    assert counts["new"] == 5 and counts["contacted"] == 2 and counts["lost"] == 1 and counts["treated"] == 0
    urgent, _ = parse_filters({"urgent": "1"}, SORTS)
    assert status_counts(urgent, None)["new"] == 1


def test_inbox_page_shows_the_columns(app, coord_client, coordinator):
    article = make_article(title="Stem cells for the spine")
    lead = make_lead(
        full_name="Column Check", assignee_id=coordinator.id, last_contacted_at=utcnow() - timedelta(hours=3)
    )
    inquiry = make_inquiry(lead, article, symptoms=["Balance issues", "Difficulty walking"])
    make_response(inquiry, score=77)
    quiet = make_lead(full_name="Quiet One")
    make_inquiry(quiet, article)
    make_email(quiet, kind=EmailKind.QUESTIONNAIRE)
    db.session.commit()
    html = coord_client.get("/dashboard/").get_data(as_text=True)
    assert "Column Check" in html and "Stem cells for the spine" in html
    assert "Balance issues" in html and "Difficulty walking" in html
    assert "Answered · score 77" in html and "Sent" in html
    assert "Cora Coordinator" in html and "3 h ago" in html
    assert "/dashboard/export.csv" in html


def test_overdue_badge(app, coord_client):
    make_lead(full_name="Waiting Long", created_at=utcnow() - timedelta(days=6))
    make_lead(full_name="Just Arrived", created_at=utcnow())
    make_lead(
        full_name="Called Already", created_at=utcnow() - timedelta(days=6), first_contacted_at=utcnow()
    )
    db.session.commit()
    html = coord_client.get("/dashboard/").get_data(as_text=True)
    rows = {
        name: html.split(name)[1].split("</th>")[0]
        for name in ("Waiting Long", "Just Arrived", "Called Already")
    }
    assert "Overdue" in rows["Waiting Long"]
    assert "Overdue" not in rows["Just Arrived"]
    assert "Overdue" not in rows["Called Already"]


def test_anonymous_is_sent_to_login(client):
    response = client.get("/dashboard/")
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["Location"]


def _populate(count: int) -> None:
    users = [make_user() for _ in range(3)]
    articles = [make_article() for _ in range(2)]
    for n in range(count):
        lead = make_lead(assignee_id=users[n % 3].id if n % 4 else None, score=n)
        inquiry = make_inquiry(lead, articles[n % 2], utm_source="ads")
        make_inquiry(lead, articles[(n + 1) % 2])
        if n % 2:
            make_response(inquiry, score=n)
        make_email(lead, kind=EmailKind.QUESTIONNAIRE)
    db.session.commit()


def _inbox_queries(client) -> int:
    db.session.expunge_all()
    with count_queries() as statements:
        response = client.get("/dashboard/?sort=priority")
    assert response.status_code == 200
    return len(statements)


def test_inbox_query_count_does_not_grow_with_rows(app, coord_client):
    _populate(5)
    few = _inbox_queries(coord_client)
    _populate(35)
    many = _inbox_queries(coord_client)
    assert few == many
    assert many <= 12


def test_an_urgent_lead_is_overdue_after_the_urgent_minutes_not_a_working_day(app):
    make_lead(
        full_name="late",
        is_urgent=True,
        created_at=NOW - timedelta(hours=2),
        urgent_since=NOW - timedelta(minutes=90),
    )
    make_lead(
        full_name="fresh",
        is_urgent=True,
        created_at=NOW - timedelta(hours=2),
        urgent_since=NOW - timedelta(minutes=10),
    )
    make_lead(full_name="calm", created_at=NOW - timedelta(hours=2))
    db.session.commit()
    filters, _ = parse_filters({}, SORTS)
    rows = {row.lead.full_name: row for row in load_page(filters, None, NOW).rows}
    assert (rows["late"].overdue, rows["fresh"].overdue, rows["calm"].overdue) == (True, False, False)
    assert rows["fresh"].urgent_due == NOW + timedelta(minutes=50)
    assert rows["calm"].urgent_due is None


def test_the_inbox_badges_say_overdue_or_reply_by_for_urgent_leads(app, coord_client):
    now = utcnow()
    make_lead(full_name="late", is_urgent=True, urgent_since=now - timedelta(minutes=90))
    make_lead(full_name="fresh", is_urgent=True, urgent_since=now - timedelta(minutes=10))
    db.session.commit()
    page = coord_client.get("/dashboard/").get_data(as_text=True)
    rows = {
        row.select_one("th a").get_text(): row
        for row in BeautifulSoup(page, "html.parser").select("tbody tr")
    }
    assert rows["late"].select_one(".badge-overdue") is not None
    assert rows["fresh"].select_one(".badge-overdue") is None
    assert rows["fresh"].select_one(".badge-due").get_text().startswith("Reply by ")


def test_query_args_keep_only_what_differs_from_the_defaults():
    from leads.dashboard.filters import InboxFilters

    filters = InboxFilters(status="new", urgent=True, article=3, created_from=date(2026, 1, 2), q="ana")
    assert filters.query_args() == {
        "status": "new",
        "urgent": "1",
        "article": "3",
        "created_from": "2026-01-02",
        "q": "ana",
    }
    assert filters.query_args(status="", sort="newest", article=None) == {
        "urgent": "1",
        "created_from": "2026-01-02",
        "q": "ana",
        "sort": "newest",
    }
    assert InboxFilters().query_args() == {}
    with pytest.raises(TypeError):
        filters.query_args(colour="red")
