"""Actions on a lead: service functions directly, then through the routes (with CSRF on)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from bs4 import BeautifulSoup

from leads.dashboard import actions
from leads.dashboard.actions import ActionError
from leads.dashboard.pipeline import allowed_targets
from leads.extensions import db
from leads.models import AuditEntry, EmailKind, EmailStatus, LeadEvent, LeadStatus, OutboundEmail
from leads.models.base import utcnow
from tests.dashboard.conftest import make_email
from tests.factories import make_lead, make_user
from tests.helpers import log_in


def events(lead, kind):
    return db.session.scalars(
        db.select(LeadEvent).where(LeadEvent.lead_id == lead.id, LeadEvent.kind == kind)
    ).all()


def audits(action):
    return db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)).all()


def test_pipeline_rules():
    assert allowed_targets("new") == [
        "contacted",
        "qualified",
        "consultation_booked",
        "treated",
        "not_a_fit",
        "lost",
    ]
    assert "contacted" in allowed_targets("qualified") and "new" not in allowed_targets("qualified")
    assert allowed_targets("lost") == ["contacted", "not_a_fit"]
    assert "lost" not in allowed_targets("treated")


def test_status_change_first_contact_cancels_reminders_and_records(app, coordinator):
    lead = make_lead()
    reminder = make_email(lead, kind=EmailKind.REMINDER, status=EmailStatus.PENDING)
    alert = make_email(
        lead, kind=EmailKind.URGENT_ALERT, status=EmailStatus.PENDING, recipient="c@clinic.example"
    )
    db.session.commit()
    actions.change_status(lead, LeadStatus.CONTACTED, coordinator)
    assert lead.status == "contacted" and lead.first_contacted_at is not None
    first = lead.first_contacted_at
    # "Contacted" is a contact: the inbox's "Last contact" column must not say "never".
    assert lead.last_contacted_at == first
    assert db.session.get(OutboundEmail, reminder.id).status == EmailStatus.CANCELLED
    assert db.session.get(OutboundEmail, alert.id).status == EmailStatus.PENDING
    actions.change_status(lead, LeadStatus.CONSULTATION_BOOKED, coordinator)
    assert lead.first_contacted_at == first
    assert [e.data["to"] for e in events(lead, "status_changed")] == ["contacted", "consultation_booked"]
    assert {e.actor_id for e in events(lead, "status_changed")} == {coordinator.id}
    assert len(audits("lead.status_changed")) == 2


@pytest.mark.parametrize(
    ("start", "target", "reason", "message"),
    [
        ("new", "lost", "", "give a reason"),
        ("new", "not_a_fit", "   ", "give a reason"),
        ("new", "lost", "x" * 501, "at most 500"),
        ("contacted", "new", None, "cannot move"),
        ("new", "new", None, "already"),
        ("new", "bogus", None, "Unknown status"),
    ],
)
def test_status_change_refusals(app, coordinator, start, target, reason, message):
    lead = make_lead(status=start)
    db.session.commit()
    with pytest.raises(ActionError, match=message):
        actions.change_status(lead, target, coordinator, reason)
    db.session.rollback()
    assert db.session.get(type(lead), lead.id).status == start


def test_closing_keeps_the_reason(app, coordinator):
    lead = make_lead()
    db.session.commit()
    actions.change_status(lead, LeadStatus.LOST, coordinator, "  went   elsewhere ")
    assert lead.lost_reason == "went elsewhere"
    assert events(lead, "status_changed")[0].data["reason"] == "went elsewhere"


def test_assign_to_a_user_round_robin_and_nobody(app, coordinator):
    other = make_user(role="coordinator")
    inactive = make_user(role="coordinator", active=False)
    lead = make_lead()
    db.session.commit()
    actions.assign(lead, other.id, coordinator)
    assert lead.assignee_id == other.id
    with pytest.raises(ActionError):
        actions.assign(lead, inactive.id, coordinator)
    db.session.rollback()
    picked = actions.assign(lead, None, coordinator, round_robin=True)
    assert picked is not None and picked.active and lead.assignee_id == picked.id
    actions.assign(lead, None, coordinator)
    assert lead.assignee_id is None
    assert len(events(lead, "assigned")) == 3 and len(audits("lead.assigned")) == 3


def test_round_robin_takes_turns(app, coordinator):
    second = make_user(role="coordinator")
    lead_a, lead_b = make_lead(), make_lead()
    db.session.commit()
    first_pick = actions.assign(lead_a, None, coordinator, round_robin=True)
    second_pick = actions.assign(lead_b, None, coordinator, round_robin=True)
    assert {first_pick.id, second_pick.id} == {coordinator.id, second.id}


def test_note_and_call(app, coordinator):
    lead = make_lead()
    db.session.commit()
    actions.add_note(lead, "  Call back after 5pm ", coordinator)
    assert events(lead, "note")[0].data == {"body": "Call back after 5pm"}
    with pytest.raises(ActionError):
        actions.add_note(lead, "   ", coordinator)
    actions.log_call(lead, "voicemail", "left a message", coordinator)
    assert lead.first_contacted_at is not None and lead.last_contacted_at == lead.first_contacted_at
    assert events(lead, "call_logged")[0].data == {"outcome": "voicemail", "notes": "left a message"}
    with pytest.raises(ActionError):
        actions.log_call(lead, "teleported", "", coordinator)


def test_unsubscribe_cancels_patient_emails_only(app, coordinator):
    lead = make_lead()
    questionnaire = make_email(lead, kind=EmailKind.QUESTIONNAIRE, status=EmailStatus.PENDING)
    alert = make_email(
        lead, kind=EmailKind.URGENT_ALERT, status=EmailStatus.PENDING, recipient="c@clinic.example"
    )
    db.session.commit()
    assert actions.unsubscribe(lead, coordinator) == 1
    assert lead.unsubscribed_at is not None
    assert db.session.get(OutboundEmail, questionnaire.id).status == EmailStatus.CANCELLED
    assert db.session.get(OutboundEmail, alert.id).status == EmailStatus.PENDING
    assert len(audits("lead.unsubscribed")) == 1
    with pytest.raises(ActionError, match="already"):
        actions.unsubscribe(lead, coordinator)


def test_resend_a_failed_email(app, coordinator):
    lead = make_lead()
    failed = make_email(lead, kind=EmailKind.CONFIRMATION, status=EmailStatus.FAILED, attempts=8)
    sent = make_email(lead, kind=EmailKind.CONFIRMATION)
    someone_else = make_email(make_lead(), status=EmailStatus.FAILED)
    db.session.commit()
    with mock.patch("leads.dashboard.actions.outbox.publish") as publish:
        actions.resend_email(lead, failed.id, coordinator)
    publish.assert_called_once_with([failed.id])
    row = db.session.get(OutboundEmail, failed.id)
    assert row.status == EmailStatus.PENDING and row.attempts == 0
    assert len(events(lead, "email_resent")) == 1 and len(audits("email.resent")) == 1
    for email_id in (sent.id, someone_else.id):
        with pytest.raises(ActionError):
            actions.resend_email(lead, email_id, coordinator)


def test_no_action_on_an_erased_lead(app, coordinator):
    lead = make_lead(erased_at=db.func.now())
    db.session.commit()
    with pytest.raises(ActionError, match="erased"):
        actions.add_note(lead, "hello", coordinator)


# Routes


def test_routes_run_the_actions(app, coord_client, coordinator):
    lead = make_lead()
    failed = make_email(lead, status=EmailStatus.FAILED)
    db.session.commit()
    base = f"/dashboard/leads/{lead.id}"
    response = coord_client.post(f"{base}/status", data={"status": "contacted"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{base}#flash")
    coord_client.post(f"{base}/assign", data={"assignee": str(coordinator.id)})
    coord_client.post(f"{base}/notes", data={"body": "Seen by Cora"})
    coord_client.post(f"{base}/calls", data={"outcome": "reached", "notes": ""})
    with mock.patch("leads.dashboard.actions.outbox.publish"):
        coord_client.post(f"{base}/emails/{failed.id}/resend", data={})
    coord_client.post(f"{base}/unsubscribe", data={})
    db.session.expire_all()
    lead = db.session.get(type(lead), lead.id)
    assert lead.status == "contacted" and lead.assignee_id == coordinator.id and lead.unsubscribed_at
    kinds = {e.kind for e in db.session.scalars(db.select(LeadEvent).where(LeadEvent.lead_id == lead.id))}
    assert {"status_changed", "assigned", "note", "call_logged", "email_resent", "unsubscribed"} <= kinds
    html = coord_client.get(base).get_data(as_text=True)
    assert "Seen by Cora" in html and "Outcome: reached" in html


def test_the_message_after_an_action_is_at_the_top_of_the_content_and_takes_focus(app, coord_client):
    """Before, the page scrolled to the action's section while the message sat off-screen above it."""
    lead = make_lead()
    db.session.commit()
    base = f"/dashboard/leads/{lead.id}"
    for path, data in ((f"{base}/notes", {"body": "x"}), (f"{base}/calls", {"outcome": "?"})):
        response = coord_client.post(path, data=data)
        assert response.headers["Location"].endswith(f"{base}#flash")
        page = BeautifulSoup(coord_client.get(base).get_data(as_text=True), "html.parser")
        main = page.select_one("main")
        box = main.find(True)
        assert box.get("id") == "flash" and box.get("tabindex") == "-1" and box.has_attr("autofocus")
    # The refused call is an error: announced as an alert.
    assert box["role"] == "alert" and "Choose how the call went" in box.get_text()


def test_a_logged_call_and_a_contacted_status_set_the_last_contact(app, coordinator):
    lead = make_lead()
    db.session.commit()
    moment = utcnow()
    actions.log_call(lead, "voicemail", "", coordinator, now=moment)
    assert lead.last_contacted_at == moment
    later = moment + timedelta(hours=2)
    actions.change_status(lead, LeadStatus.CONTACTED, coordinator, now=later)
    assert (lead.first_contacted_at, lead.last_contacted_at) == (moment, later)


def test_a_refused_action_says_why(app, coord_client):
    lead = make_lead()
    db.session.commit()
    response = coord_client.post(
        f"/dashboard/leads/{lead.id}/status", data={"status": "lost"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "Please give a reason" in response.get_data(as_text=True)
    response = coord_client.post(
        f"/dashboard/leads/{lead.id}/notes", data={"body": ""}, follow_redirects=True
    )
    assert "Note" in response.get_data(as_text=True) and response.status_code == 200
    response = coord_client.post(
        f"/dashboard/leads/{lead.id}/assign", data={"assignee": "²"}, follow_redirects=True
    )
    assert "Choose who gets the lead" in response.get_data(as_text=True)
    assert coord_client.post("/dashboard/leads/999999/notes", data={"body": "x"}).status_code == 404


def test_actions_need_a_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = make_user(role="coordinator")
        lead = make_lead()
        db.session.commit()
        client = app.test_client()
        log_in(client, user)
        response = client.post(f"/dashboard/leads/{lead.id}/notes", data={"body": "no token"})
        assert response.status_code == 400
        assert db.session.scalar(db.select(db.func.count(LeadEvent.id))) == 0
        page = client.get(f"/dashboard/leads/{lead.id}").get_data(as_text=True)
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        response = client.post(
            f"/dashboard/leads/{lead.id}/notes", data={"body": "with token", "csrf_token": token}
        )
        assert response.status_code == 303
        assert db.session.scalar(db.select(db.func.count(LeadEvent.id))) == 1


def test_anonymous_post_is_refused(client, app):
    lead = make_lead()
    db.session.commit()
    assert client.post(f"/dashboard/leads/{lead.id}/notes", data={"body": "x"}).status_code == 401


def test_round_robin_picks_only_active_coordinators(app, coordinator):
    make_user(role="admin")
    make_user(role="coordinator", active=False)
    leads = [make_lead() for _ in range(4)]
    db.session.commit()
    picks = {actions.assign(lead, None, coordinator, round_robin=True).id for lead in leads}
    assert picks == {coordinator.id}
