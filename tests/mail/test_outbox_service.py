"""Claiming, sweeping, .eml delivery, re-sending, the digest, the CLI and the Celery settings."""

from __future__ import annotations

import stat
import time
from datetime import timedelta
from email import message_from_bytes, policy

import pytest

from leads.config import ConfigError
from leads.extensions import db
from leads.mail.claim import claim, claim_next, release_stuck
from leads.mail.delivery import eml_path, open_transport
from leads.mail.digest import schedule_digest
from leads.mail.outbox import (
    coordinator_addresses,
    due_now,
    publish,
    publish_at,
    resend,
    schedule_inquiry_followups,
)
from leads.mail.send import backoff_seconds, deliver
from leads.models import EmailKind, EmailStatus, OutboundEmail
from leads.models.base import utcnow
from tasks import celery_config, check_retry_bounds
from tests.factories import make_inquiry, make_lead, make_user


def _confirmation() -> OutboundEmail:
    rows = schedule_inquiry_followups(make_inquiry())
    db.session.commit()
    return rows[0]


def test_a_row_is_claimed_once_and_only_when_due(app):
    row = _confirmation()
    other, later = schedule_inquiry_followups(make_inquiry())[:2]
    db.session.commit()
    assert claim(row.id) is True
    assert claim(row.id) is False
    assert claim(later.id) is False  # the questionnaire is not due yet
    assert claim_next() == other.id
    assert claim_next() is None
    db.session.refresh(row)
    assert row.status == EmailStatus.SENDING and row.attempts == 1 and row.claimed_at is not None


def test_rows_stuck_in_sending_are_released_when_the_lease_runs_out(app):
    row = _confirmation()
    assert claim_next() == row.id
    lease = timedelta(seconds=app.config["EMAIL_LEASE_SECONDS"])
    assert release_stuck() == 0
    assert release_stuck(now=utcnow() + lease - timedelta(seconds=5)) == 0
    assert release_stuck(now=utcnow() + lease + timedelta(seconds=1)) == 1
    db.session.refresh(row)
    assert row.status == EmailStatus.PENDING and row.last_error == "worker lost while sending"


def test_without_mail_server_each_message_is_a_private_eml_file(app):
    row = _confirmation()
    with open_transport() as transport:
        assert deliver(row.id, transport).status == EmailStatus.SENT
    path = eml_path(row.id)
    assert path.name == f"email-{row.id}.eml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    db.session.refresh(row)
    assert message["Message-ID"] == row.message_id
    assert message["To"].addresses[0].addr_spec == row.lead.email


def test_resend_puts_a_failed_email_back_due_now(app):
    row = _confirmation()
    row.status, row.attempts, row.last_error = EmailStatus.FAILED, 8, "SMTP 550: no"
    db.session.commit()
    assert resend(row.id) is row
    db.session.commit()
    assert row.status == EmailStatus.PENDING and row.attempts == 0 and row.due_at <= utcnow()
    with pytest.raises(ValueError, match="only failed"):
        resend(row.id)
    with pytest.raises(LookupError):
        resend(999999)


def test_backoff_grows_with_jitter_and_stays_under_the_cap(app):
    app.config.update(EMAIL_RETRY_BASE_SECONDS=30, EMAIL_RETRY_MAX_SECONDS=1800)
    delays = [backoff_seconds(attempt) for attempt in range(1, 12) for _ in range(20)]
    assert all(1 <= delay <= 1800 for delay in delays)
    assert max(backoff_seconds(1) for _ in range(50)) <= 30
    assert len(set(delays)) > 100


def test_a_retry_delay_reaching_the_visibility_timeout_refuses_to_start(make_app):
    with pytest.raises(ConfigError, match="EMAIL_RETRY_MAX_SECONDS"):
        check_retry_bounds({"EMAIL_RETRY_MAX_SECONDS": 3600, "BROKER_VISIBILITY_TIMEOUT_SECONDS": 3600})
    with pytest.raises(ConfigError):
        make_app(env={"EMAIL_RETRY_MAX_SECONDS": "7200"})


def test_redis_broker_gets_timeouts_and_visibility(app):
    settings = celery_config({**app.config, "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"})
    options = settings["broker_transport_options"]
    assert options["visibility_timeout"] > app.config["EMAIL_RETRY_MAX_SECONDS"]
    assert options["socket_connect_timeout"] == options["socket_timeout"] == 1
    assert settings["task_acks_late"] and settings["task_reject_on_worker_lost"]
    sqlite = celery_config({**app.config, "CELERY_BROKER_URL": "sqla+sqlite:////tmp/broker.sqlite"})
    assert sqlite["broker_url"] == "sqlite:////tmp/broker.sqlite"
    assert sqlite["broker_transport"] == "tasks.broker:SQLiteTransport"


def test_publish_to_a_dead_redis_returns_quickly(make_app):
    app = make_app(env={"CELERY_BROKER_URL": "redis://127.0.0.1:1/0"})
    with app.app_context():
        rows = schedule_inquiry_followups(make_inquiry())
        db.session.commit()
        started = time.monotonic()
        assert publish(due_now(rows)) == 0
        assert time.monotonic() - started < 2.0
        assert db.session.get(OutboundEmail, rows[0].id).status == EmailStatus.PENDING


def test_digest_is_owed_once_a_day_and_counts_leads(app):
    app.config["COORDINATOR_EMAILS"] = ["a@clinic.example", "b@clinic.example"]
    make_lead()
    make_lead(status="contacted")
    rows = schedule_digest()
    db.session.commit()
    assert [row.kind for row in rows] == [EmailKind.DIGEST, EmailKind.DIGEST]
    assert schedule_digest() == []
    with open_transport() as transport:
        assert deliver(rows[0].id, transport).status == EmailStatus.SENT
    text = eml_path(rows[0].id).read_text()
    assert "New leads in the last 24 hours: 2" in text
    assert "Leads nobody has contacted yet: 1" in text


def test_cli_status_and_sweep(app, runner):
    _confirmation()
    result = runner.invoke(args=["outbox", "status"])
    assert result.exit_code == 0
    pending = 2 + len(app.config["REMINDER_DAYS"])
    assert f"pending    {pending}" in result.output
    app.config["CELERY_BROKER_URL"] = "redis://127.0.0.1:1/0"
    result = runner.invoke(args=["outbox", "send-due"])
    assert result.exit_code == 0 and "sent 1" in result.output
    result = runner.invoke(args=["outbox", "sweep"])
    assert result.exit_code == 0 and "due 0" in result.output


def test_a_retry_time_beyond_the_longest_delay_is_left_to_the_sweeper(app, monkeypatch):
    # Redis re-delivers a message held past its visibility timeout: never publish one that far ahead.
    sent = []
    monkeypatch.setattr(app.extensions["celery"], "send_task", lambda *args, **kwargs: sent.append(kwargs))
    bound = app.config["EMAIL_RETRY_MAX_SECONDS"]
    assert publish_at(1, utcnow() + timedelta(seconds=bound + 60)) is False
    assert sent == []
    soon = utcnow() + timedelta(seconds=bound - 60)
    assert publish_at(1, soon) is True
    assert sent == [{"args": [1], "eta": soon}]


def test_a_row_sending_without_a_claim_time_is_released(app):
    row = _confirmation()
    row.status, row.claimed_at, row.lease_expires_at = EmailStatus.SENDING, None, None
    db.session.commit()
    assert release_stuck() == 1
    db.session.refresh(row)
    assert row.status == EmailStatus.PENDING


def test_alerts_go_to_every_active_account_once_accounts_exist(app):
    app.config["COORDINATOR_EMAILS"] = ["setting@clinic.example"]
    assert coordinator_addresses() == ["setting@clinic.example"]  # no accounts yet
    make_user(email="inactive@clinic.example", active=False)
    assert coordinator_addresses() == ["setting@clinic.example"]
    make_user(email="coord@clinic.example", role="coordinator")
    make_user(email="admin@clinic.example", role="admin")
    assert sorted(coordinator_addresses()) == ["admin@clinic.example", "coord@clinic.example"]
