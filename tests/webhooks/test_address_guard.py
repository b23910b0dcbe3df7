"""Webhooks never reach the clinic's own network (SSRF) unless WEBHOOK_ALLOW_PRIVATE_NETWORK:
the delivery is refused before any connection and fails at once; the admin form refuses the URL;
a receiver's redirect is a failure, never followed."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from leads.extensions import db
from leads.models import WebhookDelivery, WebhookEndpoint
from leads.webhooks.deliver import REFUSED, deliver
from leads.webhooks.events import EVENT_TYPES
from leads.webhooks.signing import new_secret
from tests.factories import make_user
from tests.helpers import log_in
from tests.webhooks.helpers import PRIVATE, endpoint, send_inquiry
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


def only_delivery() -> WebhookDelivery:
    db.session.expire_all()
    [row] = db.session.scalars(db.select(WebhookDelivery)).all()
    return row


def test_a_loopback_receiver_is_refused_by_default_and_never_reached(make_app, receiver):
    with make_app().app_context():
        endpoint(receiver)
        send_inquiry()
        owed = only_delivery()
        assert deliver(owed.id).status == "failed"  # at once: no retry storm
        row = only_delivery()
        assert (row.status, row.attempts, row.last_error) == ("failed", 1, REFUSED)
        assert deliver(owed.id).status == "skipped"
        assert receiver.received == []


def test_a_loopback_receiver_gets_it_when_the_setting_allows(make_app, receiver):
    with make_app(env=PRIVATE).app_context():
        endpoint(receiver)
        send_inquiry()
        assert deliver(only_delivery().id).status == "sent"
        assert [request["verified"] for request in receiver.received] == [True]


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/hooks"])
def test_metadata_and_private_addresses_are_refused_without_a_connection(make_app, monkeypatch, url):
    attempts = []
    monkeypatch.setattr(socket.socket, "connect", lambda sock, address: attempts.append(address))
    with make_app().app_context():
        row = WebhookEndpoint(name="x", url=url, secret=new_secret(), events=list(EVENT_TYPES))
        db.session.add(row)
        db.session.commit()
        send_inquiry()
        assert deliver(only_delivery().id).status == "failed"
        assert only_delivery().last_error == REFUSED
    assert attempts == []


@pytest.mark.parametrize("private_url", ["receiver", "http://169.254.169.254/", "http://10.0.0.1:8080/x"])
def test_the_admin_form_refuses_a_private_address(make_app, receiver, private_url):
    url = receiver.url if private_url == "receiver" else private_url
    app = make_app(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        client = app.test_client()
        log_in(client, make_user(role="admin"))
        response = client.post(
            "/dashboard/admin/webhooks/", data={"name": "CRM", "url": url, "events": ["inquiry.received"]}
        )
        assert response.status_code == 400
        assert "private, loopback or link-local network" in response.get_data(as_text=True)
        assert db.session.scalar(db.select(WebhookEndpoint)) is None


def test_a_redirect_is_a_failure_and_is_not_followed(make_app, receiver):
    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(302)
            self.send_header("Location", receiver.url)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with make_app(env=PRIVATE).app_context():
            row = endpoint(receiver)
            row.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
            db.session.commit()
            send_inquiry()
            assert deliver(only_delivery().id).status == "pending"  # retried like any failure
            assert (only_delivery().last_status_code, only_delivery().last_error) == (302, "HTTP 302")
            assert receiver.received == []
    finally:
        server.shutdown()
        server.server_close()
