"""Redis killed and started again under a stream of inquiries, on a redis-server of the test's own.

Every POST gets its 303 and is stored; logins are refused while the throttle cannot count
(and work again after); the supervised worker consumes again and every confirmation
arrives exactly once.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest

from leads.auth.passwords import hash_password
from leads.config import PROJECT_ROOT
from leads.extensions import db
from leads.mail.sweep import sweep
from leads.models import EmailKind, EmailStatus, Inquiry, OutboundEmail
from tests.auth.conftest import PASSWORD
from tests.factories import make_article, make_user
from tests.inquiries.conftest import valid_form
from tests.processes import CELERY

pytestmark = pytest.mark.slow


@pytest.fixture
def broker_env(own_redis) -> dict[str, str]:
    """Broker and rate-limit storage: the test's own Redis, which it kills."""
    return {"REDIS_URL": own_redis.url, "CELERY_BROKER_URL": own_redis.url, "CELERY_KEY_PREFIX": "drill:"}


@pytest.fixture
def supervised_worker(worker_env, tmp_path):
    heartbeat = tmp_path / "worker.heartbeat"
    env = {**worker_env, "WORKER_HEARTBEAT_FILE": str(heartbeat), "WORKER_HEARTBEAT_STALE_SECONDS": "60"}
    log = tmp_path / "worker.log"
    command = [CELERY, "-A", "app:celery_app", "worker", "--pool", "threads", "--concurrency", "2"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "scripts/supervise.py",
                "--heartbeat",
                "--",
                *command,
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while not heartbeat.exists():
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.1)
    yield process, log
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_redis_killed_under_load_every_inquiry_is_stored_and_mailed_once(
    make_app, broker_env, smtp, own_redis, supervised_worker, capsys
):
    app = make_app(
        env={**broker_env, **smtp.env},
        WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=True,  # the limiter is a shared object: say it, or it keeps the last app's
        INQUIRY_RATE_LIMIT="1000 per minute",
        INQUIRY_POST_LIMIT="1000 per minute",  # every POST counts there: keep it above the stream
        EMAIL_RETRY_BASE_SECONDS=1,
        EMAIL_RETRY_MAX_SECONDS=2,
    )
    worker, worker_log = supervised_worker
    with app.app_context():
        slug = make_article().slug
        staff = make_user(password_hash=hash_password(PASSWORD)).email
        db.session.commit()
    client = app.test_client()
    codes: list[int] = []
    stop = threading.Event()

    def stream() -> None:
        stream_client = app.test_client()
        n = 0
        while not stop.is_set():
            n += 1
            form = valid_form(email=f"patient{n}@example.com", submission_id=f"{n:032x}")
            codes.append(stream_client.post(f"/{slug}/", data=form).status_code)
            time.sleep(0.05)

    def login() -> int:
        return client.post("/login", data={"email": staff, "password": "wrong password"}).status_code

    thread = threading.Thread(target=stream)
    thread.start()
    try:
        time.sleep(1.0)
        own_redis.stop()
        time.sleep(1.0)
        during_outage = len(codes)
        login_during_outage = login()
        time.sleep(3.0)
        during_outage = len(codes) - during_outage
        own_redis.start()
        time.sleep(2.0)
    finally:
        stop.set()
        thread.join(timeout=30)

    assert login_during_outage == 503  # fails closed: no counting, no guessing
    assert login() == 200  # the throttle counts again: a wrong password is just wrong
    assert during_outage > 0
    assert Counter(codes) == {303: len(codes)}
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Inquiry)) == len(codes)
        confirmations = list(
            db.session.scalars(
                db.select(OutboundEmail.id).where(OutboundEmail.kind == EmailKind.CONFIRMATION)
            )
        )
        assert len(confirmations) == len(codes)
        started = time.monotonic()
        deadline = started + 90
        while True:
            db.session.rollback()
            statuses = Counter(
                db.session.scalars(db.select(OutboundEmail.status).where(OutboundEmail.id.in_(confirmations)))
            )
            if statuses[EmailStatus.SENT] == len(confirmations):
                break
            assert time.monotonic() < deadline, f"{dict(statuses)}\n{worker_log.read_text()[-3000:]}"
            sweep()  # what beat does every minute: hands the rows the dead broker lost to the worker
            time.sleep(1.0)
        sent_ids = set(
            db.session.scalars(db.select(OutboundEmail.message_id).where(OutboundEmail.id.in_(confirmations)))
        )
    assert worker.poll() is None, "the supervisor is gone"
    counts = Counter(message["Message-ID"] for message in smtp.handler.messages)
    # Every confirmation arrived, and nothing (coordinators' notices included) arrived twice.
    assert sent_ids <= set(counts) and set(counts.values()) == {1}
    with capsys.disabled():
        print(
            f"\n[redis killed 4 s] {len(codes)} POSTs, {during_outage} during the outage, all 303 and stored; "
            f"outbox caught up {time.monotonic() - started:.1f}s after"
        )


def test_redis_dying_after_the_commit_still_gets_the_patient_a_303(make_app, own_redis, monkeypatch):
    """The drills' "stored, then answered 500": Redis went away between the limiter's check
    and the response, whose rate-limit headers read the storage again."""
    from leads.inquiries import routes

    app = make_app(
        env={"REDIS_URL": own_redis.url},
        WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=True,
        INQUIRY_RATE_LIMIT="10 per minute",
    )
    real_submit = routes.submit_inquiry

    def submit_then_redis_dies(*args, **kwargs):
        result = real_submit(*args, **kwargs)
        own_redis.stop()
        return result

    monkeypatch.setattr(routes, "submit_inquiry", submit_then_redis_dies)
    with app.app_context():
        slug = make_article().slug
        db.session.commit()
        response = app.test_client().post(f"/{slug}/", data=valid_form())
        assert response.status_code == 303
        assert db.session.scalar(db.select(db.func.count()).select_from(Inquiry)) == 1
