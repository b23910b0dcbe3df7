"""The lead page: content, timeline, audit per view, and a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

from leads.extensions import db
from leads.models import AuditEntry, EmailStatus
from leads.models.base import utcnow
from leads.timeline import EventKind
from tests.dashboard.conftest import make_email, make_event, make_response
from tests.dashboard.querycount import count_queries
from tests.factories import make_article, make_inquiry, make_lead


def _lead_with_history(coordinator):
    article = make_article(title="Stem cells for spinal stenosis")
    lead = make_lead(full_name="Helen Page", email="helen@example.com", phone="+15550001111")
    inquiry = make_inquiry(
        lead,
        article,
        symptoms=["Balance issues"],
        message="My back hurts when I walk.",
        consent_text="I agree to be contacted.",
        consent_version="v7",
        utm_source="google",
        utm_campaign="spring",
        referrer="https://search.example/?q=stenosis",
        landing_page="https://clinic.example/stenosis/?utm_source=google",
    )
    make_response(inquiry, score=64, red_flags=["bladder_bowel"])
    make_email(lead, kind="confirmation")
    make_email(
        lead, kind="reminder", status=EmailStatus.FAILED, attempts=3, last_error="550 mailbox unavailable"
    )
    make_event(lead, EventKind.NOTE, actor=coordinator, body="Prefers mornings")
    db.session.commit()
    return lead


def test_lead_page_shows_everything(app, coord_client, coordinator):
    lead = _lead_with_history(coordinator)
    html = coord_client.get(f"/dashboard/leads/{lead.id}").get_data(as_text=True)
    for text in [
        "Helen Page",
        "helen@example.com",
        "+15550001111",
        "Stem cells for spinal stenosis",
        "Balance issues",
        "My back hurts when I walk.",
        "I agree to be contacted.",
        "version v7",
        "utm_source: google",
        "utm_campaign: spring",
        "https://search.example/?q=stenosis",
        "Red flags",
        "New trouble controlling your bladder or bowel",
        "score 64",
        "Walk my dog again",
        "7 / 10",
        "550 mailbox unavailable",
        "Resend",
        "Prefers mornings",
        "Cora Coordinator",
        "Inquiry about Stem cells for spinal stenosis",
        "Questionnaire answered",
    ]:
        assert text in html, text
    # Red flags come before the answers and the inquiries.
    assert html.index("Red flags") < html.index("Questionnaire answers") < html.index("Inquiries")
    # Patient-given URLs are shown as text, never as links.
    assert 'href="https://search.example' not in html


def test_each_view_is_audited(app, coord_client, coordinator):
    lead = make_lead()
    db.session.commit()
    coord_client.get(f"/dashboard/leads/{lead.id}")
    coord_client.get(f"/dashboard/leads/{lead.id}")
    entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "lead.viewed")).all()
    assert len(entries) == 2
    assert {(e.actor_id, e.target_type, e.target_id) for e in entries} == {(coordinator.id, "lead", lead.id)}


def test_unknown_lead_is_404(coord_client):
    assert coord_client.get("/dashboard/leads/999999").status_code == 404


def test_merged_lead_redirects_to_the_one_it_was_merged_into(app, coord_client):
    target = make_lead()
    source = make_lead(merged_into_id=target.id)
    db.session.commit()
    response = coord_client.get(f"/dashboard/leads/{source.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/dashboard/leads/{target.id}")


def test_timeline_is_newest_first_with_who_and_when(app, coord_client, coordinator):
    lead = make_lead()
    make_inquiry(lead, created_at=utcnow() - timedelta(days=2))
    make_event(lead, EventKind.NOTE, actor=coordinator, at=utcnow() - timedelta(days=1), body="older note")
    make_event(
        lead, EventKind.STATUS_CHANGED, actor=coordinator, at=utcnow(), to="contacted", **{"from": "new"}
    )
    make_event(lead, EventKind.INQUIRY_RECEIVED)  # drawn from the inquiry row, not repeated
    db.session.commit()
    html = coord_client.get(f"/dashboard/leads/{lead.id}").get_data(as_text=True)
    timeline = html.split('id="timeline"')[1]
    assert timeline.index("Status changed") < timeline.index("older note") < timeline.index("Inquiry about")
    assert "new → contacted" in timeline
    assert timeline.count("Inquiry about") == 1
    assert "Cora Coordinator" in timeline


def _grow(lead, coordinator, count):
    article = make_article()
    for n in range(count):
        inquiry = make_inquiry(lead, article, message=f"message {n}")
        make_response(inquiry, score=n)
        make_email(lead, kind="confirmation")
        make_event(lead, EventKind.NOTE, actor=coordinator, body=f"note {n}")
        make_event(lead, EventKind.ASSIGNED, actor=coordinator, assignee_id=coordinator.id)
    db.session.commit()


def _page_queries(client, lead_id) -> int:
    db.session.expunge_all()
    with count_queries() as statements:
        assert client.get(f"/dashboard/leads/{lead_id}").status_code == 200
    return len(statements)


def test_lead_page_query_count_does_not_grow_with_history(app, coord_client, coordinator):
    small, big = make_lead(assignee_id=coordinator.id), make_lead(assignee_id=coordinator.id)
    _grow(small, coordinator, 1)
    _grow(big, coordinator, 10)
    small_id, big_id = small.id, big.id
    assert _page_queries(coord_client, small_id) == _page_queries(coord_client, big_id)


def test_a_coordinator_takes_a_lead_from_new_to_consultation_booked_on_one_page(
    app, coord_client, coordinator
):
    """The issue's "done when": every step is offered by, and taken from, the lead page itself."""
    lead = _lead_with_history(coordinator)
    lead.created_at = utcnow() - timedelta(days=6)
    db.session.commit()
    page = f"/dashboard/leads/{lead.id}"
    assert "Overdue" in coord_client.get("/dashboard/").get_data(as_text=True).split("Helen Page")[1]
    for status in ("contacted", "qualified", "consultation_booked"):
        html = coord_client.get(page).get_data(as_text=True)
        assert f'<option value="{status}">' in html, status
        assert coord_client.post(f"{page}/status", data={"status": status}).status_code == 303
    coord_client.post(f"{page}/notes", data={"body": "Booked for Tuesday 10am"})
    html = coord_client.get(page).get_data(as_text=True)
    # Answers, notes and emails on the same page as the now booked status.
    for text in (
        "Consultation booked",
        "Walk my dog again",
        "Booked for Tuesday 10am",
        "550 mailbox unavailable",
    ):
        assert text in html, text
    db.session.expire_all()
    assert db.session.get(type(lead), lead.id).status == "consultation_booked"
    assert "Overdue" not in coord_client.get("/dashboard/").get_data(as_text=True).split("Helen Page")[1]
