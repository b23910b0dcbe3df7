"""Batches: one claim statement, a few statements whatever the size, one SMTP connection,
outcomes written per row, a temporary failure mid-batch, and two workers racing on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from leads.extensions import db
from leads.mail.claim import claim_batch
from leads.mail.delivery import open_transport
from leads.mail.outbox import schedule_inquiry_followups, schedule_urgent_alert
from leads.mail.send import send_batch
from leads.models import EmailKind, EmailStatus, LeadEvent, OutboundEmail
from leads.models.base import utcnow
from leads.timeline import EventKind
from tests.factories import make_article, make_inquiry, make_lead


def _confirmations(count: int) -> list[int]:
    """`count` due confirmations (their questionnaires and reminders are not due yet)."""
    article = make_article()
    rows = [schedule_inquiry_followups(make_inquiry(article=article))[0] for _ in range(count)]
    for row in rows:
        row.due_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    return [row.id for row in rows]


def _row(email_id: int) -> OutboundEmail:
    return db.session.get(OutboundEmail, email_id)


class _Statements:
    """Every SQL statement the engine sends while counting."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def __enter__(self) -> _Statements:
        sa.event.listen(db.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        sa.event.remove(db.engine, "before_cursor_execute", self._count)

    def _count(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.sent.append(" ".join(statement.split()))


def _send_batch_counting(limit: int) -> tuple[list, list[str]]:
    with open_transport() as transport, _Statements() as statements:
        outcomes = send_batch(limit, transport)
    return outcomes, statements.sent


def test_a_batch_costs_a_few_statements_plus_two_per_message_sent(smtp_app, smtp):
    _confirmations(3)
    small, small_statements = _send_batch_counting(50)
    _confirmations(20)
    large, large_statements = _send_batch_counting(50)

    assert [outcome.status for outcome in small] == [EmailStatus.SENT] * 3
    assert [outcome.status for outcome in large] == [EmailStatus.SENT] * 20
    smtp.handler.wait_for(23)
    # One row at a time cost about eleven statements per email (claim, reads, lazy loads, the
    # re-check and lease, the outcome): 20 rows took over 200. A batch: one claim, three reads,
    # one re-check and lease renewal for all; then per message only its "sent" mark and event,
    # written at once so that a crash re-sends at most the message in flight.
    # On PostgreSQL each "sent" transaction first says not to wait for its WAL flush: a setting,
    # not a statement on the data; counted apart.
    relaxed = [s for s in large_statements if s.startswith("SET LOCAL synchronous_commit")]
    # (one per "sent" transaction, and one for the batch's closing write)
    assert len(relaxed) == (21 if db.engine.dialect.name == "postgresql" else 0), relaxed
    small_statements = [s for s in small_statements if not s.startswith("SET LOCAL")]
    large_statements = [s for s in large_statements if not s.startswith("SET LOCAL")]
    per_message = (len(large_statements) - len(small_statements)) / (20 - 3)
    assert per_message == 2, large_statements
    assert len(large_statements) - 2 * 20 <= 6, large_statements
    claims = [s for s in large_statements if "SKIP LOCKED" in s or " LIMIT " in s]
    assert len(claims) == 1 and "UPDATE outbound_emails SET status" in claims[0], claims
    sent_events = (
        sa.select(sa.func.count()).select_from(LeadEvent).where(LeadEvent.kind == EventKind.EMAIL_SENT)
    )
    assert db.session.scalar(sent_events) == 23


def test_a_batch_goes_over_one_smtp_connection(smtp_app, smtp):
    _confirmations(12)
    with open_transport() as transport:
        outcomes = send_batch(50, transport)
    assert len(outcomes) == 12
    assert len(smtp.handler.wait_for(12)) == 12
    assert len(set(smtp.handler.peers)) == 1


def test_each_row_of_a_batch_gets_its_own_outcome(smtp_app, smtp):
    sent_ids = _confirmations(3)
    [unsubscribed] = _confirmations(1)
    _row(unsubscribed).lead.unsubscribed_at = utcnow()  # after the confirmation was owed
    smtp_app.config["COORDINATOR_EMAILS"] = ["<oops@clinic.example>"]
    [bad_address] = schedule_urgent_alert(make_lead(), "response:9")
    db.session.commit()

    with open_transport() as transport:
        outcomes = {outcome.email_id: outcome.status for outcome in send_batch(50, transport)}

    assert outcomes == {
        **dict.fromkeys(sent_ids, EmailStatus.SENT),
        unsubscribed: EmailStatus.CANCELLED,
        bad_address.id: EmailStatus.FAILED,
    }
    db.session.expire_all()
    sent = [_row(email_id) for email_id in sent_ids]
    assert len({row.message_id for row in sent}) == 3
    for row in sent:
        assert row.status == EmailStatus.SENT and row.sent_at is not None and row.lease_expires_at is None
        assert row.message_id.startswith(f"<email-{row.id}.") and row.attempts == 1
    received = {message["Message-ID"] for message in smtp.handler.wait_for(3)}
    assert received == {row.message_id for row in sent}
    assert _row(unsubscribed).last_error == "cancelled: unsubscribed"
    failed = _row(bad_address.id)
    assert (
        failed.status == EmailStatus.FAILED
        and failed.last_error == "invalid recipient address: HeaderParseError"
    )
    events = db.session.execute(sa.select(LeadEvent.kind, LeadEvent.data)).all()
    assert sorted((kind, data["email_id"]) for kind, data in events if "email_id" in data) == sorted(
        [(EventKind.EMAIL_SENT, email_id) for email_id in sent_ids]
        + [(EventKind.EMAIL_FAILED, bad_address.id)]
    )
    assert {data["email_kind"] for _, data in events if "email_kind" in data} == {
        EmailKind.CONFIRMATION,
        EmailKind.URGENT_ALERT,
    }


class _FailingThird:
    """The real SMTP transport; the server answers 451 to the third message."""

    def __init__(self, transport, smtp) -> None:
        self.transport, self.smtp, self.calls = transport, smtp, 0

    def send(self, email_id, message) -> None:
        self.calls += 1
        if self.calls == 3:
            self.smtp.handler.fail_next = ["451 4.3.0 Try again later"]
        self.transport.send(email_id, message)

    def close(self) -> None:
        self.transport.close()


def test_a_temporary_failure_mid_batch_stops_it_and_gives_the_rest_back_untried(smtp_app, smtp):
    first, second, third, fourth, fifth = _confirmations(5)
    before = utcnow()
    with open_transport() as transport:
        outcomes = send_batch(50, _FailingThird(transport, smtp))

    assert [(o.email_id, o.status) for o in outcomes] == [
        (first, EmailStatus.SENT),
        (second, EmailStatus.SENT),
        (third, EmailStatus.PENDING),
    ]
    assert outcomes[2].retry_at is not None and outcomes[2].retry_at > before
    db.session.expire_all()
    deferred = _row(third)
    assert deferred.attempts == 1 and "451" in deferred.last_error and deferred.due_at > before
    for email_id in (fourth, fifth):
        untried = _row(email_id)
        # As if never claimed: due as before, no attempt used, no lease.
        assert untried.status == EmailStatus.PENDING and untried.attempts == 0
        assert untried.due_at < before and untried.lease_expires_at is None
    assert len(smtp.handler.wait_for(2)) == 2 and smtp.handler.refused == 1

    with open_transport() as transport:
        again = send_batch(50, transport)
    assert [(o.email_id, o.status) for o in again] == [(fourth, EmailStatus.SENT), (fifth, EmailStatus.SENT)]


def _postgresql_only() -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite runs one writer at a time")


def test_a_batch_claim_skips_rows_another_worker_has_locked_without_waiting(app):
    _postgresql_only()
    ids = _confirmations(8)
    with db.engine.connect() as other:
        # Another worker, in the middle of its claim: the three oldest rows are locked.
        other.execute(
            sa.text("SELECT id FROM outbound_emails WHERE id = ANY(:ids) FOR UPDATE"), {"ids": ids[:3]}
        )
        # In the claim's transaction: waiting would fail, not hang.
        db.session.execute(sa.text("SET LOCAL lock_timeout = '2s'"))
        assert claim_batch(50) == ids[3:]
        other.rollback()
    assert claim_batch(50) == ids[:3]


def test_two_workers_claiming_at_once_never_take_the_same_row(app):
    _postgresql_only()
    ids = _confirmations(200)
    start = threading.Barrier(2)
    taken: dict[str, list[int]] = {"a": [], "b": []}
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            with app.app_context():  # its own session, on its own connection
                db.session.execute(sa.text("SELECT 1"))  # connected before the start, not after
                db.session.commit()
                start.wait()
                while claimed := claim_batch(3):
                    taken[name].extend(claimed)
                db.session.remove()
        except BaseException as error:  # noqa: BLE001  (reported by the test thread)
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(name,)) for name in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert taken["a"] and taken["b"], "both workers must have claimed rows (the race happened)"
    assert not set(taken["a"]) & set(taken["b"])
    assert sorted(taken["a"] + taken["b"]) == sorted(ids)
    db.session.expire_all()
    attempts = db.session.scalars(sa.select(OutboundEmail.attempts).where(OutboundEmail.id.in_(ids))).all()
    assert set(attempts) == {1}
