"""Many leads at once from the inbox (checkboxes, no JavaScript) and saved views."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup

from leads.extensions import db
from leads.models import (
    AuditEntry,
    EmailKind,
    EmailStatus,
    Lead,
    LeadEvent,
    LeadStatus,
    NextStep,
    OutboundEmail,
    SavedView,
)
from leads.models.base import utcnow
from tests.dashboard.conftest import make_email
from tests.dashboard.querycount import count_queries
from tests.factories import make_user
from tests.helpers import log_in


def _leads(count: int, **fields) -> list[int]:
    """`count` leads in one flush (a test of 500 leads should not spend its time building them)."""
    stamp = utcnow().timestamp()
    leads = [
        Lead(full_name=f"Bulk {n}", email=f"bulk-{stamp}-{n}@example.com", last_inquiry_at=utcnow(), **fields)
        for n in range(count)
    ]
    db.session.add_all(leads)
    db.session.commit()
    return [lead.id for lead in leads]


def _count(model, *where) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


ACTIONS = {
    "assign": lambda user: {"bulk_assignee": str(user.id)},
    "status": lambda user: {"bulk_status": "lost", "bulk_reason": "chose another clinic"},
    "step": lambda user: {"kind": "call_back", "due_date": "2030-01-02", "due_time": "10:00"},
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_a_bulk_action_over_500_leads_is_one_request_with_a_fixed_number_of_statements(
    app, coordinator, coord_client, action
):
    colleague = make_user(full_name="Col League")
    db.session.commit()
    target = colleague if action == "assign" else coordinator

    def run(ids: list[int]) -> int:
        data = {
            "action": action,
            "scope": "selected",
            "lead_ids": [str(i) for i in ids],
            **ACTIONS[action](target),
        }
        with count_queries() as statements:
            response = coord_client.post("/dashboard/bulk", data=data)
        assert response.status_code == 303
        return len(statements)

    few = run(_leads(5))
    many_ids = _leads(500)
    many = run(many_ids)
    assert many == few, f"{few} statements for 5 leads, {many} for 500"

    changed = Lead.id.in_(many_ids)
    if action == "assign":
        assert _count(Lead, changed, Lead.assignee_id == colleague.id) == 500
        audit, event = "lead.assigned", "assigned"
    elif action == "status":
        assert _count(Lead, changed, Lead.status == "lost", Lead.lost_reason == "chose another clinic") == 500
        # Leaving "new" counts as the first contact, as on one lead.
        assert _count(Lead, changed, Lead.first_contacted_at.is_not(None)) == 500
        audit, event = "lead.status_changed", "status_changed"
    else:
        assert _count(NextStep, NextStep.lead_id.in_(many_ids), NextStep.assignee_id == coordinator.id) == 500
        audit, event = "lead.step_added", "step_added"
    # Audited per lead, and on each lead's timeline.
    assert _count(AuditEntry, AuditEntry.action == audit, AuditEntry.target_id.in_(many_ids)) == 500
    assert _count(LeadEvent, LeadEvent.kind == event, LeadEvent.lead_id.in_(many_ids)) == 500


def test_bulk_status_keeps_the_reason_rule_and_the_pipeline(app, coordinator, coord_client):
    ids = _leads(3)
    treated = _leads(1, status=LeadStatus.TREATED)
    reminder = make_email(db.session.get(Lead, ids[0]), kind=EmailKind.REMINDER, status=EmailStatus.PENDING)
    db.session.commit()
    data = {"action": "status", "bulk_status": "lost", "lead_ids": [str(i) for i in ids + treated]}
    response = coord_client.post("/dashboard/bulk", data=data, follow_redirects=True)
    assert "Please give a reason for marking the leads lost." in response.text
    assert _count(Lead, Lead.status == "lost") == 0

    data["bulk_reason"] = "  went   elsewhere "
    response = coord_client.post("/dashboard/bulk", data=data, follow_redirects=True)
    assert "Status changed: 3 leads. Left alone: 1 (cannot move from treated)." in response.text
    db.session.expire_all()
    assert [db.session.get(Lead, i).lost_reason for i in ids] == ["went elsewhere"] * 3
    assert db.session.get(Lead, treated[0]).status == "treated"
    # The automatic reminders stop, as when one lead is closed.
    assert db.session.get(OutboundEmail, reminder.id).status == EmailStatus.CANCELLED


def test_erased_and_merged_leads_are_left_alone(app, coordinator, coord_client):
    (open_id,) = _leads(1)
    (erased,) = _leads(1, erased_at=utcnow())
    (merged,) = _leads(1, merged_into_id=open_id)
    data = {"action": "assign", "bulk_assignee": str(coordinator.id), "lead_ids": [open_id, erased, merged]}
    response = coord_client.post("/dashboard/bulk", data=data, follow_redirects=True)
    assert "Assigned: 1 lead. Left alone: 2 (erased, merged or gone)." in response.text
    assert _count(Lead, Lead.assignee_id == coordinator.id) == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({"action": "assign", "bulk_assignee": "1"}, "Tick at least one lead first."),
        ({"action": "assign", "bulk_assignee": "1", "lead_ids": ["1", "x"]}, "not a lead number"),
        ({"action": "assign", "bulk_assignee": "1", "lead_ids": ["1\x01"]}, "not a lead number"),
        ({"action": "assign", "lead_ids": ["1"]}, "Choose who gets the leads."),
        ({"action": "assign", "bulk_assignee": "424242", "lead_ids": ["1"]}, "Choose an active user"),
        ({"action": "fly", "lead_ids": ["1"]}, "Choose what to do with the leads."),
        ({"action": "status", "bulk_status": "gone", "lead_ids": ["1"]}, "Choose a status."),
        ({"action": "step", "kind": "call_back", "lead_ids": ["1"]}, "Due date: This field is required."),
        ({"action": "export", "lead_ids": [str(n) for n in range(1, 1003)]}, "At most 1000 leads at once."),
    ],
)
def test_bad_bulk_requests_get_a_clear_message(app, coord_client, data, message):
    response = coord_client.post("/dashboard/bulk", data=data, follow_redirects=True)
    assert response.status_code == 200
    assert message in response.text


def test_export_of_the_selection_is_audited_and_holds_only_those_leads(app, coordinator, coord_client):
    ids = _leads(4)
    response = coord_client.post(
        "/dashboard/bulk", data={"action": "export", "lead_ids": [str(ids[1]), str(ids[3])]}
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [int(row["id"]) for row in rows] == [ids[1], ids[3]]
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "leads.exported")).one()
    assert entry.details == {"lead_ids": [ids[1], ids[3]], "rows": 2}


def test_all_leads_matching_the_filters(app, coordinator, coord_client):
    urgent = _leads(3, is_urgent=True)
    calm = _leads(2)
    data = {"action": "assign", "scope": "filtered", "view": "urgent=1", "bulk_assignee": str(coordinator.id)}
    response = coord_client.post("/dashboard/bulk", data=data)
    # Back to the same view.
    assert response.headers["Location"] == "/dashboard/?urgent=1#flash"
    assert _count(Lead, Lead.id.in_(urgent), Lead.assignee_id == coordinator.id) == 3
    assert _count(Lead, Lead.id.in_(calm), Lead.assignee_id.is_not(None)) == 0


def _submit(page: BeautifulSoup, form_id: str, button: str, ticked: set[str], **fields) -> dict:
    """What a browser sends for form `form_id` with the `ticked` checkboxes and the `button` pressed."""
    data: dict[str, list[str]] = {}
    owned = page.select(f"#{form_id} input, #{form_id} select, #{form_id} textarea") + page.select(
        f'[form="{form_id}"]'
    )
    for field in owned:
        name = field.get("name")
        if not name or field.name == "button":
            continue
        kind = field.get("type")
        chosen = field.get("value") in ticked or (kind == "radio" and field.has_attr("checked"))
        if kind in {"checkbox", "radio"} and not chosen:
            continue
        if field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            value = chosen.get("value", "") if chosen else ""
        else:
            value = field.get("value", field.text if field.name == "textarea" else "")
        data.setdefault(name, []).append(fields.pop(name, value))
    for name, value in fields.items():
        data[name] = [value]
    pressed = page.select_one(f'#{form_id} button[value="{button}"]')
    data[pressed["name"]] = [pressed["value"]]
    return data


def test_a_coordinator_ticks_leads_in_the_inbox_and_assigns_them_without_javascript(
    app, coordinator, coord_client
):
    ids = _leads(3)
    page = BeautifulSoup(coord_client.get("/dashboard/").text, "html.parser")
    boxes = page.select('table.inbox input[type=checkbox][name=lead_ids][form="bulk"]')
    assert len(boxes) == 3 and all(
        page.select_one(f'label[for="{box["id"]}"]').text == f"Select lead #{box['value']}" for box in boxes
    )
    data = _submit(page, "bulk", "assign", {str(ids[0]), str(ids[2])}, bulk_assignee=str(coordinator.id))
    response = coord_client.post(page.select_one("#bulk")["action"], data=data, follow_redirects=True)
    assert "Assigned: 2 leads." in response.text
    assert _count(Lead, Lead.assignee_id == coordinator.id) == 2


def test_a_saved_view_appears_in_the_navigation_and_reopens_the_filters(app, coordinator, coord_client):
    _leads(1, is_urgent=True)
    page = BeautifulSoup(coord_client.get("/dashboard/?urgent=1&status=new&sort=newest").text, "html.parser")
    form = page.select_one("form.save-view")
    data = {field["name"]: field.get("value", "") for field in form.select("input[name]")}
    data["name"] = "Urgent new"
    response = coord_client.post(form["action"], data=data, follow_redirects=True)
    assert "View “Urgent new” saved" in response.text
    nav = BeautifulSoup(coord_client.get("/dashboard/tasks").text, "html.parser").select_one("nav.dash-nav")
    link = nav.find("a", string="Urgent new")
    assert link is not None
    reopened = BeautifulSoup(coord_client.get(link["href"]).text, "html.parser")
    assert reopened.select_one("#urgent").has_attr("checked")
    assert reopened.select_one("#status option[selected]")["value"] == "new"
    assert reopened.select_one("#sort option[selected]")["value"] == "newest"

    # The same name replaces; someone else sees none of it and cannot delete it.
    data["view"] = "status=contacted"
    coord_client.post(form["action"], data=data)
    db.session.expire_all()
    (view,) = db.session.scalars(db.select(SavedView)).all()
    assert view.query == "status=contacted"
    other = make_user()
    db.session.commit()
    other_client = app.test_client()
    log_in(other_client, other)
    assert "Urgent new" not in other_client.get("/dashboard/").text
    response = other_client.post(f"/dashboard/views/{view.id}/delete", follow_redirects=True)
    assert "That view is not one of yours." in response.text
    coord_client.post(f"/dashboard/views/{view.id}/delete")
    assert _count(SavedView) == 0


def test_a_view_needs_a_name(app, coord_client):
    response = coord_client.post(
        "/dashboard/views", data={"name": "  ", "view": "urgent=1"}, follow_redirects=True
    )
    assert "View name: This field is required." in response.text


@pytest.mark.parametrize("url", ["/dashboard/bulk", "/dashboard/views"])
def test_bulk_and_views_need_a_csrf_token(make_app, url):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = make_user()
        (lead_id,) = _leads(1)
        client = app.test_client()
        log_in(client, user)
        data = {"action": "assign", "bulk_assignee": str(user.id), "lead_ids": [str(lead_id)], "name": "x"}
        assert client.post(url, data=data).status_code == 400
        assert _count(AuditEntry, AuditEntry.action != "lead.viewed") == 0


def test_steps_in_bulk_are_due_in_clinic_time(make_app):
    app = make_app(env={"CLINIC_TIMEZONE": "Asia/Tokyo"}, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        user = make_user()
        ids = _leads(2)
        client = app.test_client()
        log_in(client, user)
        data = {"action": "step", "lead_ids": [str(i) for i in ids], "kind": "send_documents"}
        data |= {"due_date": "2030-05-01", "due_time": "09:00"}
        client.post("/dashboard/bulk", data=data)
        due = {step.due_at for step in db.session.scalars(db.select(NextStep))}
        # 09:00 in Tokyo is midnight UTC.
        assert due == {datetime(2030, 5, 1, 0, 0, tzinfo=UTC)}
