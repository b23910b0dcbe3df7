"""/healthz, /readyz and `flask doctor`: red when a dependency is gone, green again by itself."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from sqlalchemy.engine import make_url

from leads.extensions import db
from leads.models import EmailKind, EmailStatus, OutboundEmail, WebhookDelivery
from leads.models.base import utcnow
from tests.conftest import service_missing
from tests.ops.services import RedisServer, SilentPort, TcpProxy

# Generous for a loaded machine; the point is "seconds", never "for ever".
PROBE_SECONDS = 8


OPERATOR = {"REMOTE_ADDR": "10.1.2.3"}  # inside METRICS_ALLOW_NETWORKS below: the details are shown


@pytest.fixture
def make_app(make_app):
    """Every app of these tests lets the operator's network see each check's detail."""

    def factory(env: dict | None = None, **overrides):
        return make_app({"METRICS_ALLOW_NETWORKS": "10.0.0.0/8", **(env or {})}, **overrides)

    return factory


def ready(client) -> tuple[int, dict, float]:
    started = time.monotonic()
    response = client.get("/readyz", environ_base=OPERATOR)
    return response.status_code, response.json, time.monotonic() - started


def failing(body: dict) -> set[str]:
    return {name for name, check in body["checks"].items() if not check["ok"]}


@pytest.fixture
def redis_server():
    if not RedisServer.available():
        service_missing("redis-server (the binary)")
    server = RedisServer().start()
    yield server
    server.stop()


def test_healthz_asks_nothing_of_the_database(make_app):
    make_app()  # the first app built empties the tables afterwards: keep it on the real database
    app = make_app(env={"DATABASE_URL": "sqlite:////nonexistent/dir/db.sqlite"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_is_green_with_everything_up(app, stamp_head, client):
    stamp_head(app)
    status, body, _ = ready(client)
    assert status == 200, body
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "broker", "outbox", "webhooks"}


def test_readyz_says_migrations_are_not_at_head_without_a_revision(client):
    status, body, _ = ready(client)
    assert status == 503
    assert failing(body) == {"migrations"}
    assert "not at head" in body["checks"]["migrations"]["detail"]


def test_readyz_says_migrations_are_behind(app, stamp_head, client):
    stamp_head(app)
    db.session.execute(db.text("UPDATE alembic_version SET version_num = 'a0a0a0a0a0a0'"))
    db.session.commit()
    status, body, _ = ready(client)
    assert status == 503
    assert failing(body) == {"migrations"}
    assert "not at head: at a0a0a0a0a0a0" in body["checks"]["migrations"]["detail"]


def test_readyz_goes_red_on_an_overdue_email_only(app, stamp_head, client):
    stamp_head(app)
    late = OutboundEmail(
        kind=EmailKind.DIGEST,
        idempotency_key="late",
        due_at=utcnow() - timedelta(minutes=10),
        status=EmailStatus.PENDING,
    )
    db.session.add(late)
    db.session.commit()
    assert ready(client)[0] == 200  # late, but within READY_MAX_OVERDUE_MINUTES (15)

    late.due_at = utcnow() - timedelta(minutes=16)
    db.session.commit()
    status, body, _ = ready(client)
    assert status == 503
    assert failing(body) == {"outbox"}
    assert "1 email(s) overdue" in body["checks"]["outbox"]["detail"]

    late.status = EmailStatus.SENT
    db.session.commit()
    assert ready(client)[0] == 200


def test_readyz_and_doctor_go_red_on_an_overdue_webhook(make_app, stamp_head):
    # Beat's webhook sweep once failed on every run: nothing but an overdue row could tell.
    from tests.webhooks.helpers import PRIVATE, endpoint, send_inquiry
    from tests.webhooks.receiver import Receiver

    app = make_app(env=PRIVATE)
    stamp_head(app)
    client = app.test_client()
    receiver = Receiver()
    with app.app_context():
        try:
            endpoint(receiver)
        finally:
            receiver.stop()
        send_inquiry()
        db.session.execute(db.update(WebhookDelivery).values(due_at=utcnow() - timedelta(minutes=16)))
        db.session.commit()
    status, body, _ = ready(client)
    assert status == 503
    assert failing(body) == {"webhooks"}
    assert "1 webhook(s) overdue" in body["checks"]["webhooks"]["detail"]
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 1 and "[FAIL] webhooks: 1 webhook(s) overdue" in result.output

    with app.app_context():
        db.session.execute(db.update(WebhookDelivery).values(status="sent"))
        db.session.commit()
    assert ready(client)[0] == 200


def test_readyz_follows_redis_down_and_up_without_a_restart(make_app, stamp_head, redis_server):
    app = make_app(env={"CELERY_BROKER_URL": redis_server.url, "CELERY_KEY_PREFIX": ""})
    stamp_head(app)
    client = app.test_client()
    assert ready(client)[0] == 200

    redis_server.stop()
    status, body, seconds = ready(client)
    assert status == 503
    assert failing(body) == {"broker"}
    assert seconds < PROBE_SECONDS

    redis_server.start()
    status, body, _ = ready(client)
    assert status == 200, body


def test_readyz_does_not_hang_on_a_broker_that_never_answers(make_app, stamp_head):
    silent = SilentPort()
    try:
        app = make_app(env={"CELERY_BROKER_URL": f"redis://127.0.0.1:{silent.port}/0"})
        stamp_head(app)
        status, body, seconds = ready(app.test_client())
    finally:
        silent.close()
    assert status == 503
    assert failing(body) == {"broker"}
    assert seconds < PROBE_SECONDS


def _postgres_url() -> str:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        service_missing("PostgreSQL (DATABASE_URL)")
    return base


def test_readyz_follows_postgresql_down_and_up_without_a_restart(make_app, stamp_head, database_url):
    _postgres_url()
    url = make_url(database_url)
    proxy = TcpProxy((url.host, url.port or 5432)).start()
    try:
        # The first app built empties the tables afterwards, and the stamp is undone through
        # it: keep it off the proxy.
        stamp_head(make_app())
        proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        app = make_app(env={"DATABASE_URL": proxied})
        client = app.test_client()
        assert ready(client)[0] == 200

        proxy.stop()
        status, body, seconds = ready(client)
        assert status == 503
        assert failing(body) == {"database", "migrations", "outbox", "webhooks"}
        assert body["checks"]["migrations"]["detail"].startswith("not checked")
        assert seconds < PROBE_SECONDS

        proxy.start()
        status, body, _ = ready(client)
        assert status == 200, body
    finally:
        proxy.stop()


def test_readyz_does_not_hang_on_a_database_that_never_answers(make_app, stamp_head):
    _postgres_url()
    silent = SilentPort()
    make_app()  # the first app built empties the tables afterwards: keep it on the real database
    try:
        app = make_app(env={"DATABASE_URL": f"postgresql://leads@127.0.0.1:{silent.port}/leads"})
        status, body, seconds = ready(app.test_client())
    finally:
        silent.close()
    assert status == 503
    assert "database" in failing(body)
    assert seconds < PROBE_SECONDS


def test_doctor_explains_each_failure_and_exits_non_zero(runner):
    result = runner.invoke(args=["doctor"])
    assert result.exit_code == 1
    assert "[FAIL] migrations: not at head" in result.output
    assert "what to do: Run `flask --app app db upgrade`" in result.output
    assert "[ok  ] database: answers" in result.output
    assert "[ok  ] broker: answers" in result.output


def test_doctor_passes_when_all_is_well(app, stamp_head, runner):
    stamp_head(app)
    result = runner.invoke(args=["doctor"])
    assert result.exit_code == 0, result.output
    assert "All checks passed." in result.output


def test_readyz_names_the_checks_without_details_for_the_public(client):
    response = client.get("/readyz", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 503
    assert response.json["checks"]["migrations"] == {"ok": False}
    assert response.json["checks"]["database"] == {"ok": True}
