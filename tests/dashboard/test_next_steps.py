"""Next steps (tasks): set on the lead page in clinic time, completed on the timeline, listed in
"My tasks", in the inbox (one query per page) and in each coordinator's digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup

from leads.dashboard import next_steps
from leads.dashboard.actions import ActionError
from leads.extensions import db
from leads.mail.digest import digest_context
from leads.mail.render import render_email
from leads.models import EmailKind, LeadEvent, NextStep, OutboundEmail, StepKind
from leads.models.base import utcnow
from tests.dashboard.querycount import count_queries
from tests.factories import make_lead, make_user
from tests.helpers import log_in


@pytest.fixture
def ny_app(make_app):
    """An app whose clinic is in New York (UTC-5 in December)."""
    app = make_app(
        env={"CLINIC_TIMEZONE": "America/New_York"}, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False
    )
    with app.app_context():
        yield app


def _step(lead, user, due_at, kind=StepKind.CALL_BACK, details="", **fields) -> NextStep:
    step = NextStep(
        lead_id=lead.id,
        kind=kind,
        details=details,
        due_at=due_at,
        assignee_id=user.id if user else None,
        **fields,
    )
    db.session.add(step)
    db.session.flush()
    return step


def test_a_step_set_on_the_lead_page_is_due_in_clinic_time_and_shows_on_the_timeline(ny_app):
    user = make_user(full_name="Cora Coordinator")
    lead = make_lead()
    db.session.commit()
    client = ny_app.test_client()
    log_in(client, user)
    response = client.post(
        f"/dashboard/leads/{lead.id}/steps",
        data={
            "kind": "call_back",
            "details": "ask about the MRI",
            "due_date": "2030-12-03",
            "due_time": "09:30",
        },
    )
    assert response.status_code == 303
    step = db.session.scalars(db.select(NextStep)).one()
    # 09:30 in New York in December is 14:30 UTC.
    assert step.due_at == datetime(2030, 12, 3, 14, 30, tzinfo=UTC)
    assert step.assignee_id == user.id and step.completed_at is None
    page = BeautifulSoup(client.get(f"/dashboard/leads/{lead.id}").text, "html.parser")
    steps = page.select_one("#next-steps").get_text(" ", strip=True)
    assert "Call back: ask about the MRI" in steps and "2030-12-03 09:30 (America/New_York)" in steps
    timeline = page.select_one("#timeline").get_text(" ", strip=True)
    assert "Next step set" in timeline and "For Cora Coordinator" in timeline


def test_completing_a_step_records_it_on_the_timeline(app, coordinator, coord_client):
    lead = make_lead()
    step = _step(lead, coordinator, utcnow() + timedelta(hours=1), StepKind.SEND_DOCUMENTS)
    db.session.commit()
    response = coord_client.post(f"/dashboard/leads/{lead.id}/steps/{step.id}/done")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(NextStep, step.id).completed_at is not None
    assert db.session.get(NextStep, step.id).completed_by_id == coordinator.id
    kinds = db.session.scalars(db.select(LeadEvent.kind).where(LeadEvent.lead_id == lead.id)).all()
    assert kinds == ["step_completed"]
    page = BeautifulSoup(coord_client.get(f"/dashboard/leads/{lead.id}").text, "html.parser")
    assert "Next step done" in page.select_one("#timeline").get_text(" ", strip=True)
    assert "No next step planned" in page.select_one("#next-steps").get_text(" ", strip=True)
    # A second click says so, and changes nothing.
    coord_client.post(f"/dashboard/leads/{lead.id}/steps/{step.id}/done")
    assert "already done" in coord_client.get(f"/dashboard/leads/{lead.id}").text


@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "other", "details": " "}, "Say what the next step is."),
        ({"kind": "dance"}, "Choose what the next step is."),
        ({"step_assignee": "99999"}, "Choose an active user for the next step."),
        ({"step_assignee": "x\x01"}, "Choose who does the next step."),
        ({"due_date": "2030-02-30"}, "Due date: Not a valid date value."),
        ({"due_date": "2001-01-01"}, "more than a day in the past"),
    ],
)
def test_bad_steps_get_a_clear_message_and_change_nothing(app, coord_client, data, message):
    lead = make_lead()
    db.session.commit()
    form = {"kind": "call_back", "due_date": "2030-12-03", "due_time": "09:30", **data}
    response = coord_client.post(f"/dashboard/leads/{lead.id}/steps", data=form, follow_redirects=True)
    assert response.status_code == 200
    assert message in response.text
    assert db.session.scalar(db.select(db.func.count()).select_from(NextStep)) == 0


def test_a_step_of_another_lead_cannot_be_completed(app, coordinator):
    lead, other = make_lead(), make_lead()
    step = _step(other, coordinator, utcnow())
    db.session.commit()
    with pytest.raises(ActionError, match="does not belong"):
        next_steps.complete_step(lead, step.id, coordinator)


def test_my_tasks_lists_my_overdue_and_today_in_clinic_time(ny_app):
    me, colleague = make_user(), make_user()
    lead = make_lead(full_name="Olga Overdue")
    other = make_lead(full_name="Tara Today")
    # 2030-12-03 15:00 UTC is 10:00 in New York; the clinic's day ends at 05:00 UTC the next day.
    now = datetime(2030, 12, 3, 15, 0, tzinfo=UTC)
    overdue = _step(lead, me, now - timedelta(days=2))
    today = _step(other, me, datetime(2030, 12, 4, 4, 0, tzinfo=UTC), StepKind.OTHER, "send the price list")
    _step(other, me, datetime(2030, 12, 4, 6, 0, tzinfo=UTC))  # tomorrow in New York
    _step(lead, colleague, now - timedelta(hours=1))  # someone else's
    _step(lead, me, now - timedelta(hours=1), completed_at=now)  # done
    db.session.commit()
    day = next_steps.my_day(me.id, now)
    assert [row.step.id for row in day.overdue] == [overdue.id]
    assert [row.step.id for row in day.today] == [today.id]


def test_the_my_tasks_page_lists_overdue_then_today_with_a_done_button(app, coordinator, coord_client):
    now = utcnow()
    late = _step(make_lead(full_name="Olga Overdue"), coordinator, now - timedelta(hours=30))
    _step(make_lead(full_name="Fred Future"), coordinator, now + timedelta(days=3))
    db.session.commit()
    page = BeautifulSoup(coord_client.get("/dashboard/tasks").text, "html.parser")
    overdue = page.select_one("[aria-labelledby=overdue-title]").get_text(" ", strip=True)
    assert "Olga Overdue" in overdue and "Overdue 1" in overdue
    assert "Fred Future" not in page.get_text(" ", strip=True)
    assert "My tasks" in page.select_one("nav.dash-nav").get_text(" ", strip=True)
    form = page.select_one("[aria-labelledby=overdue-title] form")
    assert form["action"] == f"/dashboard/leads/{late.lead_id}/steps/{late.id}/done"
    response = coord_client.post(form["action"], data={"back": "tasks"})
    assert response.headers["Location"].startswith("/dashboard/tasks")
    assert db.session.get(NextStep, late.id).completed_at is not None


def test_the_inbox_shows_each_leads_next_step_in_a_fixed_number_of_queries(app, coordinator, coord_client):
    def add_leads(count: int) -> None:
        for _ in range(count):
            lead = make_lead()
            _step(lead, coordinator, utcnow() + timedelta(days=3), StepKind.SEND_DOCUMENTS)
            _step(lead, coordinator, utcnow() - timedelta(hours=2), StepKind.CALL_BACK, "the earliest")
            _step(lead, coordinator, utcnow() - timedelta(days=5), completed_at=utcnow())
        db.session.commit()

    add_leads(2)
    with count_queries() as few:
        response = coord_client.get("/dashboard/")
    page = BeautifulSoup(response.text, "html.parser")
    cells = [row.select("td")[-1].get_text(" ", strip=True) for row in page.select("table.inbox tbody tr")]
    assert len(cells) == 2
    assert all(cell.startswith("Call back: the earliest") and "Overdue" in cell for cell in cells)

    add_leads(10)
    with count_queries() as many:
        coord_client.get("/dashboard/")
    assert len(many) == len(few)


def test_the_digest_lists_each_coordinators_own_overdue_steps(app):
    cora, dan = make_user(email="cora@clinic.example"), make_user(email="dan@clinic.example")
    lead = make_lead(full_name="Pat Private")
    now = utcnow()
    _step(lead, cora, now - timedelta(hours=3), StepKind.OTHER, "chase the scan")
    _step(lead, cora, now + timedelta(hours=3))  # not overdue yet
    _step(lead, dan, now - timedelta(hours=1), StepKind.SEND_DOCUMENTS)
    _step(lead, cora, now - timedelta(hours=5), completed_at=now)
    db.session.commit()

    assert [step["title"] for step in digest_context("Cora@clinic.example")["overdue_steps"]] == [
        "chase the scan"
    ]
    assert [step["title"] for step in digest_context("dan@clinic.example")["overdue_steps"]] == [
        "Send documents"
    ]
    assert digest_context("nobody@clinic.example")["overdue_steps"] == []

    email = OutboundEmail(
        kind=EmailKind.DIGEST, idempotency_key="digest-test", recipient="cora@clinic.example", due_at=now
    )
    db.session.add(email)
    db.session.flush()
    rendered = render_email(email, "cora@clinic.example", digest_context("cora@clinic.example"))
    assert f"Lead #{lead.id}: chase the scan" in rendered.text and "chase the scan" in rendered.html
    assert "http://clinic.test/dashboard/tasks" in rendered.text
    # The lead's id and the coordinator's words, never the patient's name.
    assert "Pat Private" not in rendered.text + rendered.html
