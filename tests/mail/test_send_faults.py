"""Failures while sending: anything that goes wrong puts the row back with its reason; the
rules and the lease are checked again just before the SMTP transaction; "sent" survives a
database hiccup."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import OperationalError

from leads.extensions import db
from leads.mail import send
from leads.mail.claim import claim, release_stuck
from leads.mail.delivery import eml_path, open_transport
from leads.mail.outbox import schedule_inquiry_followups
from leads.mail.send import deliver, send_claimed
from leads.models import EmailStatus, Lead, OutboundEmail
from leads.models.base import utcnow
from tests.factories import make_inquiry


def _confirmation() -> int:
    rows = schedule_inquiry_followups(make_inquiry())
    db.session.commit()
    return rows[0].id


def _row(email_id: int) -> OutboundEmail:
    db.session.expire_all()
    return db.session.get(OutboundEmail, email_id)


def test_an_outbox_directory_refusing_writes_leaves_the_row_pending_with_the_reason(make_app, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    app = make_app(env={"MAIL_OUTBOX_DIR": str(blocker / "outbox")}, EMAIL_RETRY_BASE_SECONDS=1)
    with app.app_context():
        email_id = _confirmation()
        with open_transport() as transport:
            assert deliver(email_id, transport).retry_at is not None
        row = _row(email_id)
        assert row.status == EmailStatus.PENDING and row.lease_expires_at is None
        assert row.last_error.startswith(("NotADirectoryError", "FileExistsError"))
        assert str(tmp_path) not in row.last_error

        blocker.unlink()  # writes work again: the retry delivers it
        row.due_at = utcnow()
        db.session.commit()
        with open_transport() as transport:
            assert deliver(email_id, transport).status == EmailStatus.SENT
        assert eml_path(email_id).exists()


def test_a_lead_erased_after_the_claim_gets_nothing(smtp_app, smtp, monkeypatch):
    email_id = _confirmation()
    lead_id = _row(email_id).lead_id
    real_build = send.build_message

    def build_then_erase(*args, **kwargs):
        message = real_build(*args, **kwargs)
        # The erasure commits elsewhere while this worker renders the message.
        with db.engine.begin() as connection:
            connection.execute(db.update(Lead).where(Lead.id == lead_id).values(erased_at=utcnow()))
        return message

    monkeypatch.setattr(send, "build_message", build_then_erase)
    with open_transport() as transport:
        assert deliver(email_id, transport).status == EmailStatus.CANCELLED
    assert smtp.handler.messages == []
    assert _row(email_id).last_error == "cancelled: lead erased"


def test_a_row_taken_back_before_the_smtp_transaction_is_not_sent(smtp_app, smtp):
    email_id = _confirmation()
    assert claim(email_id)
    lease = timedelta(seconds=smtp_app.config["EMAIL_LEASE_SECONDS"])
    assert release_stuck(now=utcnow() + lease + timedelta(seconds=1)) == 1  # the worker was presumed dead
    with open_transport() as transport:
        assert send_claimed(email_id, transport).status == "skipped"
    assert smtp.handler.messages == []
    assert _row(email_id).status == EmailStatus.PENDING


def test_the_claim_and_each_send_hold_a_lease_not_a_fixed_timeout(smtp_app, smtp):
    email_id = _confirmation()
    before = utcnow()
    assert claim(email_id)
    lease = timedelta(seconds=smtp_app.config["EMAIL_LEASE_SECONDS"])
    assert before + lease <= _row(email_id).lease_expires_at <= utcnow() + lease
    assert release_stuck(now=utcnow() + lease - timedelta(seconds=2)) == 0


def test_recording_sent_is_retried_while_the_database_is_away(smtp_app, smtp, monkeypatch):
    email_id = _confirmation()
    real_write = send._write_outcomes
    failures = []

    def database_away_twice(*args):
        if len(failures) < 2:
            failures.append(1)
            raise OperationalError("UPDATE", {}, Exception("server closed the connection unexpectedly"))
        return real_write(*args)

    monkeypatch.setattr(send, "_write_outcomes", database_away_twice)
    with open_transport() as transport:
        assert deliver(email_id, transport).status == EmailStatus.SENT
    assert len(failures) == 2 and len(smtp.handler.messages) == 1
    assert _row(email_id).status == EmailStatus.SENT
