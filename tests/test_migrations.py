"""The migrations build exactly the models' schema, on SQLite and on PostgreSQL, and undo cleanly.

The rest of the suite builds its tables with `db.create_all()`; this is the test that
catches a model change shipped without a migration (or a migration that drifts).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pprint import pformat

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import make_url

from leads import create_app
from leads.extensions import db
from leads.models import Lead
from leads.models.base import UTCDateTime
from tests.conftest import service_missing


@pytest.fixture(autouse=True)
def _keep_logging():
    """Alembic's env.py runs logging.fileConfig, which disables every existing logger; undo that."""
    root = logging.getLogger()
    saved_root = (root.level, list(root.handlers))
    loggers = [obj for obj in logging.root.manager.loggerDict.values() if isinstance(obj, logging.Logger)]
    saved = {logger: (logger.disabled, logger.level, list(logger.handlers)) for logger in loggers}
    yield
    root.setLevel(saved_root[0])
    root.handlers[:] = saved_root[1]
    for logger, (disabled, level, handlers) in saved.items():
        logger.disabled, logger.level = disabled, level
        logger.handlers[:] = handlers
    for obj in logging.root.manager.loggerDict.values():
        if isinstance(obj, logging.Logger) and obj not in saved:
            obj.disabled = False


def _fresh_postgres(base: str) -> Iterator[str]:
    import psycopg

    url = make_url("postgresql+psycopg://" + base.split("://", 1)[1])
    name = f"leads_migrations_{uuid.uuid4().hex[:10]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        pytest.fail(f"DATABASE_URL is set but PostgreSQL is not reachable: {error}", pytrace=False)
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path) -> Iterator[str]:
    """A database with no tables at all: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://", "postgresql+psycopg://")):
        service_missing("PostgreSQL (DATABASE_URL)")
    yield from _fresh_postgres(base)


@pytest.fixture
def migrated_app(empty_database, base_env, tmp_path):
    app = create_app(env={**base_env, "DATABASE_URL": empty_database, "INSTANCE_PATH": str(tmp_path)})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _schema_differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": False}
        )
        return compare_metadata(context, db.metadata)


def test_upgrade_matches_the_models_and_downgrade_empties(migrated_app):
    flask_migrate.upgrade()
    tables = set(sa.inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    differences = _schema_differences()
    assert differences == [], (
        "the migrations and the models differ; generate a migration "
        "(flask db migrate) for these changes:\n" + pformat(differences)
    )

    flask_migrate.downgrade(revision="base")
    left = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert left == set()


def test_upgrade_twice_is_a_no_op(migrated_app):
    flask_migrate.upgrade()
    with db.engine.connect() as conn:
        head = MigrationContext.configure(conn).get_current_revision()
    flask_migrate.upgrade()
    with db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head
    assert head is not None


@pytest.fixture
def migrated_postgres_app(base_env, tmp_path):
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://", "postgresql+psycopg://")):
        service_missing("PostgreSQL (DATABASE_URL)")
    for url in _fresh_postgres(base):
        app = create_app(env={**base_env, "DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path)})
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()


def test_migrated_audit_log_refuses_edits_on_postgresql(migrated_postgres_app):
    flask_migrate.upgrade()
    with db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO audit_log (action, details, created_at) VALUES ('x', '{}', now())"))
    for statement in ("UPDATE audit_log SET action = 'y'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(sa.text(statement))


def _sqlite_indexes(url: str) -> dict[str, str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
            )
            return {name: " ".join(sql.split()) for name, sql in rows}
    finally:
        engine.dispose()


def test_migrated_indexes_match_the_models_including_partial_ones(base_env, tmp_path):
    """compare_metadata does not see an index's WHERE clause; SQLite's own DDL text does."""
    migrated, created = tmp_path / "migrated.sqlite", tmp_path / "created.sqlite"
    for path, build in ((migrated, flask_migrate.upgrade), (created, db.create_all)):
        app = create_app(
            env={**base_env, "DATABASE_URL": f"sqlite:///{path}", "INSTANCE_PATH": str(tmp_path)}
        )
        with app.app_context():
            build()
            db.engine.dispose()
    assert _sqlite_indexes(f"sqlite:///{migrated}") == _sqlite_indexes(f"sqlite:///{created}")


def test_urgent_leads_get_the_time_of_their_latest_red_flag(migrated_app):
    """a7qst0001 adds leads.urgent_since; a lead already urgent is due from its latest red flag."""
    flask_migrate.upgrade(revision="7dcae1ae5a15")
    at = sa.bindparam("at", type_=UTCDateTime())
    lead = sa.text(
        "INSERT INTO leads (id, full_name, email, preferred_contact, status, is_urgent, score,"
        " last_inquiry_at, created_at, updated_at) VALUES (:id, 'x', :email, 'email', 'new', :urgent, 0,"
        " :at, :at, :at)"
    ).bindparams(at)
    event = sa.text(
        "INSERT INTO lead_events (lead_id, kind, data, created_at) VALUES (:lead, :kind, '{}', :at)"
    ).bindparams(at)
    early, late = datetime(2026, 11, 30, 9, 0, tzinfo=UTC), datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    with db.engine.begin() as conn:
        for values in (
            {"id": 1, "email": "a@x.example", "urgent": True},
            {"id": 2, "email": "b@x.example", "urgent": False},
        ):
            conn.execute(lead, {**values, "at": early})
        for kind, moment in (("red_flag", early), ("red_flag", late), ("note", late + timedelta(hours=1))):
            conn.execute(event, {"lead": 1, "kind": kind, "at": moment})
    flask_migrate.upgrade(revision="a7qst0001")
    with db.engine.connect() as conn:
        rows = dict(conn.execute(sa.select(Lead.id, Lead.urgent_since).order_by(Lead.id)).all())
    assert rows == {1: late, 2: None}
