"""Webhooks owed in the lead's transaction, signed, retried with backoff, logged; health details only when allowed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leads.dashboard.actions import change_status
from leads.dashboard.erasure import erase_lead
from leads.dashboard.merge import merge_leads
from leads.extensions import db
from leads.models import Lead, LeadStatus, WebhookDelivery, WebhookEndpoint
from leads.models.base import utcnow
from leads.webhooks.deliver import deliver, sweep
from tests.factories import SEED_SYMPTOMS, make_user
from tests.helpers import log_in
from tests.webhooks.helpers import PRIVATE, endpoint, send_inquiry
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


def deliveries() -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_an_inquiry_is_announced_once_signed_and_without_health_details(app, receiver):
    endpoint(receiver)
    lead = send_inquiry()
    [owed] = deliveries()
    assert owed.event_type == "inquiry.received" and owed.status == "pending"
    assert deliver(owed.id).status == "sent"
    assert deliver(owed.id).status == "skipped"  # a second worker finds it sent
    [request] = receiver.received
    assert request["verified"] and request["id"] == owed.message_id
    assert request["payload"]["type"] == "inquiry.received"
    data = request["payload"]["data"]
    assert data["lead_id"] == lead.id and set(data) == {"lead_id", "inquiry_id", "article_id"}
    text = str(request["payload"])
    assert "knee" not in text and "patient1@example.org" not in text and "Lower back" not in text


def test_an_endpoint_allowed_health_details_gets_them(app, receiver):
    endpoint(receiver, health=True)
    send_inquiry()
    [owed] = deliveries()
    deliver(owed.id)
    data = receiver.received[0]["payload"]["data"]
    assert data["symptoms"] == [SEED_SYMPTOMS[0]] and data["message"] == "My knee hurts at night."
    assert data["email"] == "patient1@example.org"


def test_only_the_chosen_events_and_active_endpoints(app, receiver):
    endpoint(receiver, events=["lead.status_changed"])
    off = endpoint(receiver)
    off.active = False
    db.session.commit()
    lead = send_inquiry()
    assert deliveries() == []
    change_status(lead, LeadStatus.CONTACTED, make_user())
    [owed] = deliveries()
    assert owed.event_type == "lead.status_changed"
    assert owed.payload["data"] == {"lead_id": lead.id, "from": "new", "to": "contacted"}


def test_a_receiver_that_fails_twice_gets_it_on_the_third_try(app, receiver):
    receiver.fail_first = 2
    endpoint(receiver)
    send_inquiry()
    [owed] = deliveries()
    for _ in (1, 2):
        outcome = deliver(owed.id)
        assert outcome.status == "pending" and outcome.retry_at > utcnow()
        assert deliver(owed.id).status == "skipped"  # not due before its backoff ends
        db.session.execute(db.update(WebhookDelivery).values(due_at=utcnow()))
        db.session.commit()
    assert deliver(owed.id).status == "sent"
    [row] = deliveries()
    assert (row.attempts, row.status, row.last_status_code) == (3, "sent", 204)
    assert [request["status"] for request in receiver.received] == [500, 500, 204]
    assert {request["id"] for request in receiver.received} == {row.message_id}
    assert all(request["verified"] for request in receiver.received)


def test_the_last_attempt_marks_it_failed(make_app, receiver):
    app = make_app(env=PRIVATE, WEBHOOK_MAX_ATTEMPTS=2)
    with app.app_context():
        receiver.fail_first = 10
        endpoint(receiver)
        send_inquiry()
        [owed] = deliveries()
        deliver(owed.id)
        db.session.execute(db.update(WebhookDelivery).values(due_at=utcnow()))
        db.session.commit()
        assert deliver(owed.id).status == "failed"
        assert deliveries()[0].last_error == "HTTP 500"


def test_the_sweep_with_the_default_settings_hands_back_a_dead_workers_row(app, receiver):
    # Nothing overridden but the private network: the sweep once read a setting config never
    # defined, so beat's sweep crashed every minute and lost publishes were never delivered.
    endpoint(receiver)
    for n in (1, 2, 3):
        send_inquiry(n)
    dead, live, due = deliveries()
    now = utcnow()
    for row, claimed_at in ((dead, now - timedelta(hours=1)), (live, now)):
        db.session.execute(
            db.update(WebhookDelivery)
            .where(WebhookDelivery.id == row.id)
            .values(status="sending", claimed_at=claimed_at, attempts=1)
        )
    db.session.commit()
    assert sweep() == [dead.id, due.id]  # a live worker's row is left to it
    assert [deliver(row_id).status for row_id in (dead.id, due.id)] == ["sent", "sent"]
    assert [row.status for row in deliveries()] == ["sent", "sending", "sent"]
    assert {request["id"] for request in receiver.accepted()} == {dead.message_id, due.message_id}


def test_a_rolled_back_event_owes_nothing_and_erasure_removes_the_log(app, receiver):
    endpoint(receiver, health=True)
    lead = send_inquiry()
    change_status(lead, LeadStatus.CONTACTED, make_user())
    assert len(deliveries()) == 2
    lead.status = LeadStatus.QUALIFIED
    from leads.timeline import EventKind, record_event

    record_event(lead.id, EventKind.STATUS_CHANGED, to="qualified", **{"from": "contacted"})
    db.session.flush()
    db.session.rollback()
    assert len(deliveries()) == 2
    duplicate = send_inquiry(2)
    assert len(deliveries()) == 3
    admin = make_user(role="admin", email="boss@example.org")
    merge_leads(duplicate, db.session.get(Lead, lead.id), admin)
    db.session.commit()
    erase_lead(db.session.get(Lead, lead.id), admin)
    # The duplicate merged into it is erased with it: its deliveries go too.
    assert deliveries() == []


def test_admins_add_an_endpoint_and_read_its_delivery_log(make_app, receiver):
    app = make_app(env=PRIVATE, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        client = app.test_client()
        log_in(client, make_user(role="admin"))
        response = client.post(
            "/dashboard/admin/webhooks/",
            data={"name": "CRM", "url": receiver.url, "events": ["inquiry.received"]},
        )
        assert response.status_code == 303
        row = db.session.scalar(db.select(WebhookEndpoint))
        assert row.events == ["inquiry.received"] and not row.allow_health_details
        receiver.secret = row.secret
        send_inquiry()
        deliver(deliveries()[0].id)
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert row.secret in page and deliveries()[0].message_id in page and "sent" in page
        bad = client.post("/dashboard/admin/webhooks/", data={"name": "x", "url": "ftp://x", "events": []})
        assert bad.status_code == 400
