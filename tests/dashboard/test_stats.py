"""The statistics page: SVG charts with their tables, on an empty and a populated database."""

from __future__ import annotations

from datetime import timedelta

from leads.dashboard import stats
from leads.extensions import db
from leads.models import EmailKind, EmailStatus, LeadStatus
from leads.models.base import utcnow
from tests.dashboard.conftest import make_email, make_response
from tests.factories import make_article, make_inquiry, make_lead


def test_stats_page_renders_on_an_empty_database(coord_client):
    response = coord_client.get("/dashboard/stats")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('role="img"') == 5
    assert "No data yet" in html and "<script" not in html.split("</footer>")[0]


def test_stats_figures(app):
    now = utcnow()
    spine = make_article(title="Spine")
    leads = []
    for status, contacted in [
        (LeadStatus.NEW, False),
        (LeadStatus.NEW, False),
        (LeadStatus.CONTACTED, True),
        (LeadStatus.QUALIFIED, True),
        (LeadStatus.CONSULTATION_BOOKED, True),
        (LeadStatus.LOST, True),
        (LeadStatus.NOT_A_FIT, False),
    ]:
        created = now - timedelta(days=2)
        lead = make_lead(
            status=status,
            created_at=created,
            first_contacted_at=created + timedelta(hours=len(leads) + 1) if contacted else None,
        )
        leads.append(lead)
        inquiry = make_inquiry(lead, spine, utm_source="google" if len(leads) % 2 else None)
        make_email(lead, kind=EmailKind.QUESTIONNAIRE, inquiry_id=inquiry.id)
        if len(leads) <= 2:
            make_response(inquiry)
    make_email(leads[0], kind=EmailKind.REMINDER, status=EmailStatus.FAILED)
    make_lead(merged_into_id=leads[0].id)  # merged duplicates are not counted
    db.session.commit()
    data = stats.collect(now)
    assert data.total == 7
    reached = {stage.label: stage.count for stage in data.funnel}
    assert reached == {"New": 7, "Contacted": 4, "Qualified": 2, "Consultation booked": 1, "Treated": 0}
    drops = {stage.label: stage.drop_pct for stage in data.funnel}
    assert drops["New"] is None and drops["Contacted"] == round(100 * 3 / 7, 1) and drops["Treated"] == 100.0
    assert dict(data.closed) == {"Not a fit": 1, "Lost": 1}
    assert dict(data.per_day)[(now - timedelta(days=2)).date().isoformat()] == 7
    assert len(data.per_day) == 30
    assert data.by_article == [("Spine", 7)]
    assert dict(data.by_source) == {"google": 4, "(direct)": 3}
    assert (data.questionnaires_sent, data.questionnaires_answered, data.completion_pct) == (7, 2, 28.6)
    # Contacted after 3, 4, 5 and 6 hours.
    assert data.median_first_contact == timedelta(hours=4, minutes=30)
    assert dict(data.emails)["sent"] == 7 and dict(data.emails)["failed"] == 1


def test_stats_page_populated_has_charts_and_tables(app, coord_client):
    article = make_article(title="Knee <b>cartilage</b>")
    lead = make_lead(status=LeadStatus.CONTACTED, first_contacted_at=utcnow())
    make_inquiry(lead, article, utm_source="<script>alert(1)</script>")
    db.session.commit()
    html = coord_client.get("/dashboard/stats").get_data(as_text=True)
    assert '<title id="chart-funnel-title">Pipeline funnel</title>' in html
    assert "<desc" in html and "<details" in html and "<table" in html
    assert "Knee &lt;b&gt;cartilage&lt;/b&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert "Drop-off between stages" in html


def test_each_chart_is_named_by_its_title_described_by_its_text_and_shows_its_table(coord_client):
    html = coord_client.get("/dashboard/stats").get_data(as_text=True)
    for slug in ("funnel", "per-day", "articles", "sources", "emails"):
        # The name alone: a name that also held the description made screen readers say it twice.
        assert f'aria-labelledby="chart-{slug}-title" aria-describedby="chart-{slug}-desc"' in html, slug
    assert html.count('<details class="chart-data" open>') == 5
