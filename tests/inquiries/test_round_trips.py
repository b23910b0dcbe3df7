"""An inquiry POST talks to Redis in few round trips: each is a wait the patient's request pays for."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis.connection

from leads.extensions import db
from tests.factories import make_article
from tests.inquiries.conftest import valid_form


@contextmanager
def redis_round_trips(monkeypatch) -> Iterator[list[bytes]]:
    """Every request sent to Redis (a pipeline is one), as the bytes sent."""
    sent: list[bytes] = []
    real = redis.connection.AbstractConnection.send_packed_command

    def counted(self, command, check_health=True):
        parts = command if isinstance(command, list) else [command]
        sent.append(b"".join(bytes(part) for part in parts))
        return real(self, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counted)
    yield sent


@pytest.fixture
def redis_app(make_app, redis_url):
    app = make_app(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        yield app


def test_the_confirmation_and_the_held_invitation_go_to_the_broker_in_one_round_trip(redis_app, monkeypatch):
    article = make_article()
    db.session.commit()
    client = redis_app.test_client()
    client.post(f"/{article.slug}/", data=valid_form(submission_id="0" * 31 + "2"))  # connections warm
    with redis_round_trips(monkeypatch) as sent:
        response = client.post(f"/{article.slug}/", data=valid_form(email="bea@example.com"))
    assert response.status_code == 303
    publishes = [request for request in sent if b"LPUSH" in request]
    assert len(publishes) == 1, sent
    # The confirmation now, the invitation with its eta: both in that one request.
    assert publishes[0].count(b"LPUSH") == 2
