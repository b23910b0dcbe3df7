"""The embedded SQLite database under a burst of patients: WAL and a busy timeout on every connection.

In the default rollback-journal mode a writer waits for every reader and readers wait for the
writer's commit; with 20 patients posting at once p99 was 4.6 s. In WAL mode readers never block
the writer nor the writer them (synchronous stays FULL: a stored inquiry survives a power cut);
writers still take turns, so a waiting writer retries for up to
SQLITE_BUSY_TIMEOUT_MS instead of failing with "database is locked". SQLITE_JOURNAL_MODE=delete
is for a database on a network file system, where WAL's shared memory does not work.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from pathlib import Path

from flask import Flask
from sqlalchemy import event

from leads.extensions import db

log = logging.getLogger(__name__)


def _broker_file(broker_url: str) -> Path | None:
    prefix = "sqla+sqlite:///"
    return Path(broker_url[len(prefix) :]) if broker_url.startswith(prefix) else None


def _persist_journal_mode(path: Path, journal_mode: str) -> None:
    """The journal mode is kept in the database file: set once, every later connection has it
    (kombu opens the broker's connections itself, out of reach of an engine event)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    try:
        with closing(sqlite3.connect(path, timeout=5)) as conn:
            conn.execute(f"PRAGMA journal_mode = {journal_mode}")
    except sqlite3.OperationalError as error:
        # Leaving WAL needs the file to itself (a running worker holds it): the next start does it.
        log.warning("journal mode of the broker file unchanged for now: %s", error)


def init_app(app: Flask) -> None:
    """Set the pragmas on each new connection of the app's SQLite engine (PostgreSQL: nothing), and
    the journal mode of the embedded broker's SQLite file."""
    journal_mode = app.config["SQLITE_JOURNAL_MODE"]
    broker = _broker_file(app.config["CELERY_BROKER_URL"])
    if broker is not None:
        _persist_journal_mode(broker, journal_mode)
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    busy_timeout = app.config["SQLITE_BUSY_TIMEOUT_MS"]

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA journal_mode = {journal_mode}")
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout)}")
        finally:
            cursor.close()


def checkpoint() -> None:
    """After an erasure: copy the WAL's pages into the database file and empty the WAL, so the
    erased values are neither left in the old pages of the file nor in the WAL (SQLite only)."""
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
