"""The embedded SQLite database in WAL mode with a busy timeout: a burst of patients waits its turn."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing

import pytest
import sqlalchemy as sa

from leads import create_app
from leads.extensions import db
from leads.models import Lead
from tests.factories import make_lead


def _sqlite_app(base_env, path, **env):
    return create_app(env={**base_env, "DATABASE_URL": f"sqlite:///{path}", **env})


@pytest.fixture
def sqlite_app(base_env, tmp_path):
    """An app on a SQLite file of its own, whatever database the rest of the run uses."""
    app = _sqlite_app(base_env, tmp_path / "burst.sqlite")
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_each_connection_is_in_wal_mode_with_a_busy_timeout(sqlite_app):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_journal_mode_delete_is_there_for_network_file_systems(base_env, tmp_path):
    app = _sqlite_app(
        base_env,
        tmp_path / "nfs.sqlite",
        SQLITE_JOURNAL_MODE="delete",
        CELERY_BROKER_URL=f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}",
    )
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
        db.engine.dispose()


def test_a_writer_commits_while_a_reader_is_mid_transaction(sqlite_app):
    """A dashboard page reading while a patient posts: in rollback-journal mode the commit waits for
    the reader to finish (and fails after the busy timeout); in WAL mode it does not wait."""
    make_lead(full_name="Before")
    db.session.commit()
    with db.engine.connect() as reader:
        reader.exec_driver_sql("BEGIN")
        assert reader.execute(sa.select(sa.func.count()).select_from(Lead)).scalar() == 1
        started = time.monotonic()
        make_lead(full_name="During")
        db.session.commit()
        assert time.monotonic() - started < 1
        # The reader keeps its snapshot until it ends.
        assert reader.execute(sa.select(sa.func.count()).select_from(Lead)).scalar() == 1
        reader.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Lead)) == 2


def test_the_embedded_broker_file_is_in_wal_mode_too(base_env, tmp_path):
    broker = tmp_path / "broker.sqlite"
    _sqlite_app(base_env, tmp_path / "app.sqlite", CELERY_BROKER_URL=f"sqla+sqlite:///{broker}")
    with closing(sqlite3.connect(broker)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert broker.stat().st_mode & 0o077 == 0
