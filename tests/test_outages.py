"""A service down, in process: Redis (the rate-limit storage) and the database refusing connections.

The ports are closed on purpose, so these need no service; the drills with real restarts are
in tests/tasks/test_service_restarts.py.
"""

from __future__ import annotations

import time

import psycopg
import pytest
import sqlalchemy as sa

from leads import create_app
from leads.auth.passwords import hash_password
from leads.extensions import db
from leads.models import Inquiry
from tests.auth.conftest import PASSWORD
from tests.factories import make_article, make_user
from tests.inquiries.conftest import valid_form

DEAD_REDIS = "redis://127.0.0.1:5179/0"  # nothing listens there
DEAD_POSTGRES = "postgresql://postgres@127.0.0.1:5179/leads"


def _submission(n: int) -> dict:
    return valid_form(email=f"patient{n}@example.com", submission_id=f"{n:032x}")


@pytest.fixture
def redis_down(make_app):
    """An app whose rate-limit storage (Redis) refuses connections, rate limits on, CSRF off."""

    def build(**overrides):
        return make_app(
            env={"REDIS_URL": DEAD_REDIS},
            WTF_CSRF_ENABLED=False,
            # Explicitly on: the limiter is one shared object and keeps the last app's setting otherwise.
            RATELIMIT_ENABLED=True,
            INQUIRY_RATE_LIMIT="3 per minute",
            **overrides,
        )

    return build


def _post(app, count: int) -> tuple[list[int], int]:
    with app.app_context():
        article = make_article()
        db.session.commit()
        client = app.test_client()
        codes = [client.post(f"/{article.slug}/", data=_submission(n)).status_code for n in range(count)]
        stored = db.session.scalar(db.select(db.func.count()).select_from(Inquiry))
        db.session.remove()
    return codes, stored


def test_redis_down_the_form_keeps_storing_inquiries_counted_in_memory(redis_down):
    codes, stored = _post(redis_down(), 5)
    assert codes == [303, 303, 303, 429, 429]
    assert stored == 3


def test_redis_down_the_form_stops_limiting_when_set_to_fail_open(redis_down):
    codes, stored = _post(redis_down(RATELIMIT_ON_STORAGE_FAILURE="open"), 5)
    assert codes == [303] * 5
    assert stored == 5


def test_redis_down_logins_are_refused_with_retry_after(redis_down):
    app = redis_down()
    with app.app_context():
        user = make_user(password_hash=hash_password(PASSWORD))
        db.session.commit()
        response = app.test_client().post("/login", data={"email": user.email, "password": PASSWORD})
        db.session.remove()
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert b"Signing in is paused" in response.data


def test_redis_down_logins_go_on_when_set_to_fail_open(redis_down):
    app = redis_down(LOGIN_THROTTLE_ON_STORAGE_FAILURE="open")
    with app.app_context():
        user = make_user(password_hash=hash_password(PASSWORD))
        db.session.commit()
        response = app.test_client().post("/login", data={"email": user.email, "password": PASSWORD})
        db.session.remove()
    assert response.status_code == 302


def test_database_down_answers_503_with_retry_after_never_500(base_env, tmp_path):
    env = {**base_env, "DATABASE_URL": DEAD_POSTGRES, "MAIL_OUTBOX_DIR": str(tmp_path)}
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}, env=env)
    client = app.test_client()
    page = client.get("/some-article/")
    posted = client.post("/some-article/", data=_submission(1))
    for response in (page, posted):
        assert response.status_code == 503
        assert int(response.headers["Retry-After"]) > 0
        assert b"send it again in a minute" in response.data


def test_the_worker_never_gives_up_on_the_broker_and_beats_while_consuming(base_env):
    from tasks import celery_config
    from tasks.liveness import Heartbeat

    app = create_app({"TESTING": True}, env=base_env)
    settings = celery_config(app.config)
    assert settings["broker_connection_retry"] and settings["broker_connection_retry_on_startup"]
    assert settings["broker_connection_max_retries"] is None
    assert settings["worker_cancel_long_running_tasks_on_connection_loss"] is True
    assert Heartbeat in app.extensions["celery"].steps["consumer"]


def test_recording_must_give_up_before_the_lease_runs_out(base_env):
    from leads.config import ConfigError
    from tasks import check_retry_bounds

    app = create_app({"TESTING": True}, env=base_env)
    check_retry_bounds(app.config)
    with pytest.raises(ConfigError, match="EMAIL_RECORD_RETRY_SECONDS"):
        check_retry_bounds({**app.config, "EMAIL_RECORD_RETRY_SECONDS": 60, "EMAIL_LEASE_SECONDS": 60})


def test_every_database_connection_busy_answers_503(make_app, database_url):
    options = {"pool_pre_ping": True, "pool_size": 1, "max_overflow": 0, "pool_timeout": 0.2}
    if database_url.startswith("sqlite"):
        options["poolclass"] = sa.pool.QueuePool  # SQLite files default to one connection per thread
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS=options, RATELIMIT_ENABLED=False)
    with app.app_context(), db.engine.connect():  # holds the only connection
        response = app.test_client().get("/some-article/")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0


def _terminate_the_apps_connections() -> None:
    """What a PostgreSQL restart does to the app's pooled connections: the server closes them.
    Done from a connection outside the pool, so every pooled one is closed."""
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute(f"SELECT count(pg_terminate_backend(pid)) {others}").fetchone()[0] > 0
        # Terminating is asynchronous: wait until the backends are gone, as after a restart.
        for _ in range(500):
            if not conn.execute(f"SELECT count(*) {others}").fetchone()[0]:
                return
            time.sleep(0.01)
    pytest.fail("the terminated connections did not go away")


def test_connections_the_database_closed_are_replaced_so_the_next_requests_get_their_answer(
    make_app, database_url
):
    if not database_url.startswith("postgresql"):
        pytest.skip("only a database server closes connections")
    app = make_app(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        slug = make_article().slug
        db.session.commit()
        db.session.remove()
        client = app.test_client()
        assert client.get(f"/{slug}/").status_code == 200
        db.session.remove()
        assert client.get("/some-article/").status_code == 404  # a query on a pooled connection
        db.session.remove()
        _terminate_the_apps_connections()
        # No pre-ping round trip, yet no 503: the closed connections are dropped at checkout.
        assert client.get(f"/{slug}/").status_code == 200
        db.session.remove()
        assert client.post(f"/{slug}/", data=_submission(1)).status_code == 303
        db.session.remove()
