"""Unsubscribe at /unsubscribe/<token>: GET asks, POST records, RFC 8058 one-click works without cookies."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from leads.extensions import db
from leads.links import QUESTIONNAIRE, UNSUBSCRIBE
from leads.mail.outbox import schedule_urgent_alert
from leads.models import EmailKind, EmailStatus, Lead, LeadEvent, OutboundEmail
from leads.models.base import utcnow
from leads.timeline import EventKind
from leads.tokens import make_token
from tests.factories import make_lead
from tests.questionnaire.conftest import make_scheduled_inquiry, old_token


def url(lead_id: int) -> str:
    return f"/unsubscribe/{make_token(UNSUBSCRIBE, lead_id)}"


def unsubscribe_events(lead_id: int) -> list[LeadEvent]:
    return list(
        db.session.scalars(
            db.select(LeadEvent).where(LeadEvent.lead_id == lead_id, LeadEvent.kind == EventKind.UNSUBSCRIBED)
        )
    )


def statuses(lead_id: int) -> dict[str, set[str]]:
    rows = db.session.scalars(db.select(OutboundEmail).where(OutboundEmail.lead_id == lead_id))
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row.kind, set()).add(row.status)
    return found


def assert_private_headers(response) -> None:
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_get_asks_for_confirmation_and_changes_nothing(client):
    lead_id = make_scheduled_inquiry().lead_id
    before = statuses(lead_id)
    response = client.get(url(lead_id))
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    form = page.select_one("form[method=post]")
    assert form is not None and form.select_one("button[type=submit]") is not None
    assert_private_headers(response)
    db.session.expire_all()
    assert db.session.get(Lead, lead_id).unsubscribed_at is None
    assert unsubscribe_events(lead_id) == []
    assert statuses(lead_id) == before


def test_post_unsubscribes_and_cancels_every_patient_email(alert_app):
    client = alert_app.test_client()
    inquiry = make_scheduled_inquiry()
    lead_id = inquiry.lead_id
    schedule_urgent_alert(inquiry.lead, "test")
    db.session.commit()

    response = client.post(url(lead_id))
    assert response.status_code == 200
    assert "You are unsubscribed" in response.text
    # True: a new inquiry from this address is a request to be emailed about it.
    assert "If you send us a new inquiry from this address, we will email you about that new inquiry" in (
        " ".join(response.text.split())
    )
    assert "even if you send us another inquiry" not in response.text
    assert_private_headers(response)
    db.session.expire_all()
    assert db.session.get(Lead, lead_id).unsubscribed_at is not None
    found = statuses(lead_id)
    for kind in (EmailKind.CONFIRMATION, EmailKind.QUESTIONNAIRE, EmailKind.REMINDER):
        assert found[kind] == {EmailStatus.CANCELLED}
    # The coordinators' alert is the clinic's, not the patient's, to stop.
    assert found[EmailKind.URGENT_ALERT] == {EmailStatus.PENDING}
    [event] = unsubscribe_events(lead_id)
    assert event.data["cancelled_emails"] == 4


def test_unsubscribing_twice_is_idempotent(client):
    lead_id = make_scheduled_inquiry().lead_id
    client.post(url(lead_id))
    db.session.expire_all()
    first_time = db.session.get(Lead, lead_id).unsubscribed_at
    again = client.post(url(lead_id))
    assert again.status_code == 200
    assert "already unsubscribed" in again.text
    db.session.expire_all()
    assert db.session.get(Lead, lead_id).unsubscribed_at == first_time
    assert len(unsubscribe_events(lead_id)) == 1
    shown = client.get(url(lead_id))
    assert shown.status_code == 200 and "You are unsubscribed" in shown.text


def test_one_click_post_works_without_cookie_or_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        lead_id = make_scheduled_inquiry().lead_id
        client = app.test_client(use_cookies=False)
        response = client.post(
            url(lead_id),
            data="List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200
        assert_private_headers(response)
        db.session.expire_all()
        assert db.session.get(Lead, lead_id).unsubscribed_at is not None
        assert len(unsubscribe_events(lead_id)) == 1


def test_the_button_works_with_csrf_enabled(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        lead_id = make_scheduled_inquiry().lead_id
        client = app.test_client()
        page = BeautifulSoup(client.get(url(lead_id)).text, "html.parser")
        token = page.select_one("form input[name=csrf_token]")["value"]
        assert client.post(url(lead_id), data={"csrf_token": token}).status_code == 200
        db.session.expire_all()
        assert db.session.get(Lead, lead_id).unsubscribed_at is not None


def test_a_merged_lead_unsubscribes_the_lead_it_went_into(client):
    target = make_lead()
    merged = make_lead(merged_into_id=target.id)
    db.session.commit()
    target_id, merged_id = target.id, merged.id
    assert client.post(url(merged_id)).status_code == 200
    db.session.expire_all()
    assert db.session.get(Lead, target_id).unsubscribed_at is not None


def test_expired_link(client):
    lead_id = make_scheduled_inquiry().lead_id
    token = old_token(UNSUBSCRIBE, lead_id, age_seconds=366 * 86400)
    for response in (client.get(f"/unsubscribe/{token}"), client.post(f"/unsubscribe/{token}")):
        assert response.status_code == 410
        assert "This link has expired" in response.text
        assert_private_headers(response)
    db.session.expire_all()
    assert db.session.get(Lead, lead_id).unsubscribed_at is None


@pytest.mark.parametrize("problem", ["questionnaire_token", "altered", "unknown_lead", "erased_lead"])
def test_invalid_links(client, problem):
    lead = make_scheduled_inquiry().lead
    lead_id = lead.id
    token = make_token(UNSUBSCRIBE, lead_id)
    if problem == "questionnaire_token":
        token = make_token(QUESTIONNAIRE, lead_id)
    elif problem == "altered":
        token = "x" + token[1:] if not token.startswith("x") else "y" + token[1:]
    elif problem == "unknown_lead":
        token = make_token(UNSUBSCRIBE, lead_id + 1000)
    elif problem == "erased_lead":
        lead.erased_at = utcnow()
        db.session.commit()
    for response in (client.get(f"/unsubscribe/{token}"), client.post(f"/unsubscribe/{token}")):
        assert response.status_code == 404
        assert "This link is not valid" in response.text
        assert_private_headers(response)
    assert unsubscribe_events(lead_id) == []


def test_error_pages_on_token_paths_send_no_referrer_either(client):
    token = url(make_scheduled_inquiry().lead_id).rsplit("/", 1)[1]
    for response in (
        client.put(f"/unsubscribe/{token}"),  # 405 from the app, not the view
        client.delete(f"/q/{token}"),
        client.get(f"/q/{token}/extra"),  # 404: no route matched at all
        client.get("/unsubscribe/not-a-token"),
    ):
        assert response.status_code in (404, 405)
        assert_private_headers(response)
    # Other pages keep the application's default.
    assert client.get("/healthz").headers["Referrer-Policy"] != "no-referrer"
