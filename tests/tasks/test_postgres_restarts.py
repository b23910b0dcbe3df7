"""PostgreSQL restarted under load, on a cluster of the test's own (tests/services.py).

Submissions during the restart get a 503 with Retry-After (never a 500), every 303 is stored,
the app reconnects by itself; a worker that had the SMTP server accept a message while the
database was down records "sent" once it is back, instead of sending it again.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from leads import create_app
from leads.db_teardown import end_session
from leads.extensions import db
from leads.mail.outbox import publish, schedule_inquiry_followups
from leads.models import EmailStatus, Inquiry, OutboundEmail
from tests.factories import make_article, make_inquiry
from tests.inquiries.conftest import valid_form

pytestmark = pytest.mark.slow


@pytest.fixture
def own_database(own_postgres, request) -> str:
    return own_postgres.create_database(f"restart_{request.node.name[-40:]}")


@pytest.fixture
def worker_env(worker_env, own_database):
    """The workers use the test's own cluster; a lease long enough to outlast the restart."""
    return {
        **worker_env,
        "DATABASE_URL": own_database,
        "EMAIL_LEASE_SECONDS": "30",
        "EMAIL_RECORD_RETRY_SECONDS": "20",
    }


@pytest.fixture
def own_app(base_env, broker_env, smtp, own_database, tmp_path):
    env = {
        **base_env,
        **broker_env,
        **smtp.env,
        "DATABASE_URL": own_database,
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
    }
    app = create_app(
        {"TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "EMAIL_LEASE_SECONDS": 30},
        env=env,
    )
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_submissions_during_a_restart_get_503_and_every_303_is_stored(own_app, own_postgres, capsys):
    slug = make_article().slug
    db.session.commit()
    results: list[tuple[str, int, str | None, float]] = []
    stop = threading.Event()

    def stream(stream_no: int) -> None:
        client = own_app.test_client()
        n = 0
        while not stop.is_set():
            n += 1
            sid = f"{stream_no:02x}{n:030x}"
            form = valid_form(email=f"patient{stream_no}-{n}@example.com", submission_id=sid)
            response = client.post(f"/{slug}/", data=form)
            results.append((sid, response.status_code, response.headers.get("Retry-After"), time.monotonic()))
            time.sleep(0.02)

    streams = [threading.Thread(target=stream, args=(n,)) for n in range(2)]
    for thread in streams:
        thread.start()
    try:
        time.sleep(1.5)
        own_postgres.stop()
        time.sleep(2.0)
        own_postgres.start()
        back_at = time.monotonic()
        time.sleep(2.5)
    finally:
        stop.set()
        for thread in streams:
            thread.join(timeout=30)

    codes = Counter(code for _, code, _, _ in results)
    assert set(codes) <= {303, 503}, codes
    assert codes[503] >= 1, (
        f"no request saw the restart: {codes} {[(c, round(at - back_at, 2)) for _, c, _, at in results]}"
    )
    assert all(retry and int(retry) > 0 for _, code, retry, _ in results if code == 503)
    assert any(code == 303 and at > back_at for _, code, _, at in results), "the app did not reconnect"
    end_session()
    stored = set(db.session.scalars(db.select(Inquiry.submission_id)))
    redirected = {sid for sid, code, _, _ in results if code == 303}
    assert redirected <= stored, f"{len(redirected - stored)} answered 303 but not stored"
    with capsys.disabled():
        print(
            f"\n[postgres restart] {len(results)} POSTs: {codes[303]} x 303 (all stored), {codes[503]} x 503"
        )


def test_sent_is_recorded_after_the_database_returns_and_nothing_goes_twice(
    own_app, own_postgres, smtp, start_worker
):
    rows = schedule_inquiry_followups(make_inquiry())
    db.session.commit()
    email_id = rows[0].id
    entered = threading.Event()
    real_handle_data = smtp.handler.handle_DATA

    async def handle_data(server, session, envelope):
        entered.set()
        return await real_handle_data(server, session, envelope)

    smtp.handler.handle_DATA = handle_data
    smtp.handler.delay_seconds = 3.0  # the server holds the message while the database goes down
    worker = start_worker()
    publish([email_id])
    assert entered.wait(30), worker.output()[-3000:]
    own_postgres.stop()
    smtp.handler.wait_for(1)  # accepted while the database is down: "sent" cannot be written now
    time.sleep(1.0)
    own_postgres.start()

    deadline = time.monotonic() + 30
    while True:
        end_session()  # this test's own connection died with the restart too
        row = db.session.get(OutboundEmail, email_id)
        if row.status == EmailStatus.SENT:
            break
        assert time.monotonic() < deadline, f"{row.status}: {row.last_error}\n{worker.output()[-3000:]}"
        time.sleep(0.2)
    assert row.attempts == 1
    assert len(smtp.handler.messages) == 1
    assert "recording sent failed" in worker.output()
