"""/metrics: refused to the public, served for a token or an allowed network, and the counters move."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from leads.extensions import db
from leads.mail.delivery import open_transport
from leads.mail.send import send_batch
from leads.models import EmailKind, EmailStatus, OutboundEmail
from leads.models.base import utcnow
from tasks.email import sweep_outbox
from tests.factories import make_article
from tests.inquiries.conftest import valid_form

TOKEN = "s3cret-metrics-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def value(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


@pytest.fixture
def metrics_app(make_app, smtp):
    app = make_app(
        env={"METRICS_TOKEN": TOKEN, **smtp.env},
        WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=False,
        EMAIL_MAX_ATTEMPTS=2,
    )
    with app.app_context():
        yield app


def scrape(client) -> str:
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def test_metrics_are_refused_to_everyone_by_default(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_metrics_need_the_right_token(metrics_app):
    client = metrics_app.test_client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 404
    assert client.get("/metrics", headers=AUTH).status_code == 200


def test_metrics_answer_an_allowed_network_only(make_app):
    app = make_app(env={"METRICS_ALLOW_NETWORKS": "10.0.0.0/8, 192.168.1.7"})
    client = app.test_client()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.20.30.40"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.168.1.7"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 404


def test_inquiry_spam_and_request_counters_move(metrics_app):
    client = metrics_app.test_client()
    article = make_article()
    db.session.commit()
    before = scrape(client)
    assert client.post(f"/{article.slug}/", data=valid_form()).status_code == 303
    assert client.post(f"/{article.slug}/", data=valid_form()).status_code == 303  # a repeat: not counted
    spam = valid_form(website="http://spam.example", submission_id="0" * 31 + "2")
    assert client.post(f"/{article.slug}/", data=spam).status_code == 303
    after = scrape(client)
    assert (
        value(after, "leads_inquiries_received_total") - value(before, "leads_inquiries_received_total") == 1
    )
    assert (
        value(after, "leads_spam_refused_total", reason="honeypot")
        - value(before, "leads_spam_refused_total", reason="honeypot")
        == 1
    )
    name = "leads_request_duration_seconds_count"
    labels = {"endpoint": "inquiries.submit", "method": "POST", "status": "303"}
    assert value(after, name, **labels) - value(before, name, **labels) == 3


def test_rate_limited_requests_are_counted(make_app):
    # Explicitly on: the limiter is one shared object and keeps the last app's setting otherwise.
    app = make_app(
        env={"METRICS_TOKEN": TOKEN},
        INQUIRY_RATE_LIMIT="1 per minute",
        RATELIMIT_ENABLED=True,
        WTF_CSRF_ENABLED=False,
    )
    client = app.test_client()
    # An address of this test alone, so a shared Redis never carries counts over from another test.
    client.environ_base["REMOTE_ADDR"] = f"2001:db8::{uuid.uuid4().hex[:4]}:9"
    with app.app_context():
        article = make_article()
        db.session.commit()
        before = scrape(client)
        assert client.post(f"/{article.slug}/", data=valid_form()).status_code == 303
        assert client.post(f"/{article.slug}/", data=valid_form(submission_id="1" * 32)).status_code == 429
        after = scrape(client)
    name, labels = "leads_rate_limited_total", {"endpoint": "inquiries.submit"}
    assert value(after, name, **labels) - value(before, name, **labels) == 1


def _owed(key: str, kind: str = EmailKind.DIGEST, minutes_ago: int = 0) -> None:
    db.session.add(
        OutboundEmail(
            kind=kind,
            idempotency_key=key,
            recipient="coordinator@clinic.example",
            due_at=utcnow() - timedelta(minutes=minutes_ago),
            status=EmailStatus.PENDING,
        )
    )
    db.session.commit()


def _send_due() -> None:
    with open_transport() as transport:
        send_batch(5, transport)


def test_email_counters_move_by_kind(metrics_app, smtp):
    metrics_app.config["QUESTIONNAIRE_DELAY_SECONDS"] = 3600  # only the confirmations are due
    client = metrics_app.test_client()
    article = make_article()
    db.session.commit()
    before = scrape(client)
    client.post(f"/{article.slug}/", data=valid_form())
    smtp.handler.fail_next = ["451 try later", "550 no such user"]
    _send_due()  # 451: deferred
    db.session.execute(db.update(OutboundEmail).values(due_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    _send_due()  # 550: failed for good
    client.post(f"/{article.slug}/", data=valid_form(email="b@example.com", submission_id="2" * 32))
    _send_due()  # accepted
    after = scrape(client)
    for metric in ("retried", "failed", "sent"):
        name = f"leads_emails_{metric}_total"
        delta = value(after, name, kind="confirmation") - value(before, name, kind="confirmation")
        assert delta == 1, (metric, delta)


def test_outbox_gauges_are_counted_at_scrape(metrics_app):
    client = metrics_app.test_client()
    _owed("due-now")
    _owed("overdue", minutes_ago=20)
    _owed("later", minutes_ago=-30)
    text = scrape(client)
    assert value(text, "leads_outbox_due") == 2
    assert value(text, "leads_outbox_overdue") == 1


def test_task_run_time_is_observed(metrics_app):
    client = metrics_app.test_client()
    before = scrape(client)
    sweep_outbox.apply()  # run here, through Celery's tracer and its signals
    after = scrape(client)
    name, labels = "leads_task_duration_seconds_count", {"task": "tasks.email.sweep_outbox"}
    assert value(after, name, **labels) - value(before, name, **labels) == 1
