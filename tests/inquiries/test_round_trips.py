"""An inquiry POST talks to Redis in few round trips: each is a wait the patient's request pays for
(and CPU the web worker spends). Counted at the socket: a pipeline or a script is one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis.connection

from leads.extensions import db
from tests.factories import make_article
from tests.inquiries.conftest import valid_form


def _new_id() -> str:
    return uuid.uuid4().hex


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


def _after_one_stored(make_app, monkeypatch, **changes):
    """POST once (the script loaded, one inquiry counted); then the requests sent to Redis by a
    second POST, with `changes` to the form, and its response."""
    # Explicitly on: Flask-Limiter (still used by the API) is one shared object.
    app = make_app(
        WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=True,
        INQUIRY_RATE_LIMIT="5 per minute;30 per day",
        INQUIRY_POST_LIMIT="30 per minute;300 per day",
    )
    with app.app_context():
        article = make_article()
        db.session.commit()
        client = app.test_client()
        # An address of this test alone, so a shared Redis never carries counts over from another test.
        client.environ_base["REMOTE_ADDR"] = f"2001:db8::{uuid.uuid4().hex[:4]}:7"
        client.post(f"/{article.slug}/", data=valid_form(submission_id=_new_id()))
        with redis_round_trips(monkeypatch) as sent:
            response = client.post(f"/{article.slug}/", data=valid_form(submission_id=_new_id(), **changes))
    return sent, response


def test_the_rate_limits_of_a_stored_inquiry_cost_one_round_trip(make_app, redis_url, monkeypatch):
    sent, response = _after_one_stored(make_app, monkeypatch, message="Again")
    assert response.status_code == 303
    limits = [request for request in sent if b"LIMITS:" in request]
    # All four limits checked and counted by one script (Flask-Limiter: eight round trips).
    assert len(limits) == 1, limits
    # The headers speak of the 5-per-minute limit, after this POST: two stored, three left.
    assert response.headers["X-RateLimit-Limit"] == "5"
    assert response.headers["X-RateLimit-Remaining"] == "3"
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_a_typing_mistake_costs_a_second_round_trip_that_gives_its_count_back(
    make_app, redis_url, monkeypatch
):
    sent, response = _after_one_stored(make_app, monkeypatch, email="ana@")
    assert response.status_code == 422
    assert len([request for request in sent if b"LIMITS:" in request]) == 2
    assert response.headers["X-RateLimit-Remaining"] == "4"  # only the stored one counts
