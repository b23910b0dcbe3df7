"""A worker's log lines about an inquiry's emails carry the request id of the POST that stored it,
in JSON, at DEBUG, with no personal data (celery, kombu and the app's loggers alike); the worker
serves its own counts behind the metrics token."""

from __future__ import annotations

import json
import time

import pytest

from leads.extensions import db
from tests.factories import SEED_SYMPTOMS, make_article
from tests.live import http_get
from tests.ops.services import free_port
from tests.ops.test_metrics import value

pytestmark = pytest.mark.slow

REQUEST_ID = "req-from-proxy-4242"
TOKEN = "worker-metrics-token"
NAME, EMAIL, PHONE, MESSAGE = "Yusra Pemberton", "yusra.pemberton@example.com", "+1 507 555 0177", "Numb toes"


@pytest.fixture
def metrics_port() -> int:
    return free_port()


@pytest.fixture
def worker_env(worker_env, metrics_port):
    return {
        **worker_env,
        "LOG_LEVEL": "DEBUG",
        "LOG_FORMAT": "json",
        "WORKER_METRICS_PORT": str(metrics_port),
        "WORKER_METRICS_HOST": "127.0.0.1",
        "METRICS_TOKEN": TOKEN,
    }


def worker_metrics(port: int, headers: dict | None = None) -> tuple[int, str]:
    return http_get(f"http://127.0.0.1:{port}/metrics", headers)


def test_worker_logs_carry_the_request_id_and_no_personal_data(
    make_app, broker_env, smtp, start_worker, metrics_port
):
    app = make_app(env={**broker_env, **smtp.env}, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        article = make_article()
        db.session.commit()
        worker = start_worker()
        form = {
            "full_name": NAME,
            "email": EMAIL,
            "phone": PHONE,
            "preferred_contact": "email",
            "symptoms": [SEED_SYMPTOMS[0]],
            "message": MESSAGE,
            "consent": "y",
            "website": "",
            "submission_id": "e" * 32,
        }
        response = app.test_client().post(
            f"/{article.slug}/", data=form, headers={"X-Request-ID": REQUEST_ID}
        )
        assert response.status_code == 303
        try:
            (confirmation,) = smtp.handler.wait_for(1, timeout=30)
        except AssertionError:
            raise AssertionError(worker.output()[-4000:]) from None
        assert confirmation["To"].addresses[0].addr_spec == EMAIL

    assert worker_metrics(metrics_port)[0] == 404
    deadline = time.monotonic() + 20
    while True:  # the email arrives a moment before its task has finished (and been timed)
        status, text = worker_metrics(metrics_port, {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200
        if value(text, "leads_task_duration_seconds_count", task="tasks.email.send_email") >= 1:
            break
        assert time.monotonic() < deadline, text[-2000:]
        time.sleep(0.2)
    assert value(text, "leads_emails_sent_total", kind="confirmation") == 1

    output = worker.output()
    records = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    sent = [r for r in records if r["logger"] == "leads.mail.send" and "sent" in r["message"]]
    assert sent and all(r["request_id"] == REQUEST_ID for r in sent), sent
    # Celery's own line about the task's end carries it too.
    done = [r for r in records if r["logger"] == "celery.app.trace" and "succeeded" in r["message"]]
    assert any(r["request_id"] == REQUEST_ID for r in done), done
    assert any(r["level"] == "DEBUG" for r in records)
    lowered = output.lower()
    for secret in (NAME, *NAME.split(), EMAIL, "yusra", PHONE, "5550177", MESSAGE):
        assert secret.lower() not in lowered, secret
