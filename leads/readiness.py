"""Readiness checks, shared by `/readyz` and `flask doctor`: plain functions, each one answer.

Every check is bounded by a short timeout (the database's connect timeout, a statement
timeout on PostgreSQL, the broker's socket timeouts), so a dead PostgreSQL or Redis makes
the answer red quickly instead of hanging the probe. Nothing is cached but the migration
scripts' head, so the answer turns green again by itself once the service is back.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from leads.extensions import db
from leads.models import EmailStatus, OutboundEmail, WebhookDelivery
from leads.models.base import utcnow
from leads.webhooks.deliver import PENDING, SENDING

# A readiness query that takes longer than this is as good as down.
STATEMENT_TIMEOUT_MS = 2000


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    # What a person should do about a failure (printed by `flask doctor`).
    advice: str = ""


@functools.cache
def script_heads(directory: str) -> tuple[str, ...]:
    """The migration scripts' head revisions: they change only with a deploy, so read them once."""
    return tuple(sorted(ScriptDirectory(directory).get_heads()))


def _session_timeout() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}"))


def _error(error: Exception) -> str:
    # The class only: a driver's message may name hosts or quote values.
    return type(error).__name__


def check_database() -> Check:
    try:
        _session_timeout()
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        return Check(
            "database",
            False,
            f"no answer ({_error(error)})",
            "Start the database or check DATABASE_URL; the app reconnects by itself.",
        )
    finally:
        db.session.rollback()
    return Check("database", True, "answers")


def check_migrations() -> Check:
    heads = script_heads(current_app.extensions["migrate"].directory)
    advice = "Run `flask --app app db upgrade` (boot.sh does it on start)."
    try:
        _session_timeout()
        current = tuple(sorted(MigrationContext.configure(db.session.connection()).get_current_heads()))
    except sa.exc.SQLAlchemyError as error:
        return Check("migrations", False, f"cannot read the revision ({_error(error)})", advice)
    finally:
        db.session.rollback()
    if not current:
        return Check(
            "migrations", False, f"not at head: no revision recorded (head {', '.join(heads)})", advice
        )
    if current != heads:
        return Check(
            "migrations", False, f"not at head: at {', '.join(current)}, head {', '.join(heads)}", advice
        )
    return Check("migrations", True, f"at head {', '.join(heads)}")


def check_broker() -> Check:
    celery = current_app.extensions["celery"]
    try:
        # The transport options carry the short connect and socket timeouts (tasks/__init__.py).
        with celery.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0)
    except Exception as error:  # noqa: BLE001  (each transport raises its own errors)
        return Check(
            "broker",
            False,
            f"no answer ({_error(error)})",
            "Start Redis or check REDIS_URL / CELERY_BROKER_URL; emails wait in the outbox meanwhile.",
        )
    return Check("broker", True, "answers")


def outbox_counts(overdue_minutes: int) -> tuple[int, int]:
    """(rows due now, rows overdue by more than `overdue_minutes`) among unsent emails."""
    now = utcnow()
    unsent = OutboundEmail.status.in_([EmailStatus.PENDING, EmailStatus.SENDING])
    due = sa.func.count().filter(OutboundEmail.due_at <= now)
    overdue = sa.func.count().filter(OutboundEmail.due_at < now - timedelta(minutes=overdue_minutes))
    row = db.session.execute(sa.select(due, overdue).where(unsent)).one()
    return int(row[0]), int(row[1])


def _overdue_check(name: str, noun: str, count: Callable[[int], int], advice: str) -> Check:
    """Red when `count(minutes)` rows are overdue by more than READY_MAX_OVERDUE_MINUTES."""
    minutes = current_app.config["READY_MAX_OVERDUE_MINUTES"]
    try:
        _session_timeout()
        overdue = count(minutes)
    except sa.exc.SQLAlchemyError as error:
        return Check(name, False, f"cannot count ({_error(error)})", "See the database check.")
    finally:
        db.session.rollback()
    if overdue:
        return Check(name, False, f"{overdue} {noun}(s) overdue by more than {minutes} min", advice)
    return Check(name, True, f"nothing overdue by more than {minutes} min")


def check_outbox() -> Check:
    return _overdue_check(
        "outbox",
        "email",
        lambda minutes: outbox_counts(minutes)[1],
        "Check that a Celery worker and beat are running and the mail server answers "
        "(`flask --app app outbox status`, the worker's log).",
    )


def overdue_webhooks(minutes: int) -> int:
    """Owed deliveries overdue by more than `minutes`: nothing delivers them (worker or beat down,
    or a task failing on every run), since a failing receiver moves due_at on, never back."""
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            WebhookDelivery.status.in_([PENDING, SENDING]),
            WebhookDelivery.due_at < utcnow() - timedelta(minutes=minutes),
        )
    )


def check_webhooks() -> Check:
    return _overdue_check(
        "webhooks",
        "webhook",
        overdue_webhooks,
        "Check that a Celery worker and beat are running, and the worker's log for a failing task.",
    )


def _skipped(name: str) -> Check:
    return Check(name, False, "not checked: the database does not answer", "Fix the database first.")


def run_checks() -> list[Check]:
    """Every readiness check; the ones that need the database are skipped when it is down."""
    database = check_database()
    needs_db: list[tuple[str, Callable[[], Check]]] = [
        ("migrations", check_migrations),
        ("outbox", check_outbox),
        ("webhooks", check_webhooks),
    ]
    checks = [database, check_broker()]
    for name, check in needs_db:
        checks.append(check() if database.ok else _skipped(name))
    return checks
