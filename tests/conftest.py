"""Shared fixtures: a fresh database per run, clean tables per test, real services when CI has them.

With `DATABASE_URL` set (PostgreSQL), each run creates its own database and drops it
at the end, so concurrent runs never see each other's rows. With `REDIS_URL` set,
every run uses its own key prefix. With `CI=true`, a service the suite needs must be
reachable: the test fails instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from leads import create_app
from leads.extensions import db

IN_CI = os.environ.get("CI", "").lower() == "true"
RUN_ID = uuid.uuid4().hex[:10]


def pytest_configure(config) -> None:
    """Compile the message catalogues when a .po is newer than its .mo, as `make test` does,
    so that pytest run alone tests the Arabic pages with the catalogue in the tree."""
    from babel.messages.frontend import CommandLineInterface

    from leads.i18n import TRANSLATIONS_DIR

    for po in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            CommandLineInterface().run(["pybabel", "-q", "compile", "-i", str(po), "-o", str(mo)])


def service_missing(what: str) -> None:
    """Fail under CI, skip elsewhere: a missing service must never pass silently in CI."""
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not reachable", pytrace=False)
    pytest.skip(f"{what} not available")


@contextmanager
def scratch_postgres_database(base: str, prefix: str = "leads_scratch") -> Iterator[str]:
    """A new, empty PostgreSQL database of the test's own (dropped afterwards), for tests that build
    their schema themselves or drop the database (migrations, backups)."""
    import psycopg

    url = make_url("postgresql+psycopg://" + base.split("://", 1)[1])
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        pytest.fail(f"DATABASE_URL is set but PostgreSQL is not reachable: {error}", pytrace=False)
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_postgres_database(url.set(database=name).render_as_string(hide_password=False))


def postgres_base_url() -> str:
    """DATABASE_URL when it names PostgreSQL; otherwise the test skips (fails under CI)."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://", "postgresql+psycopg://")):
        service_missing("PostgreSQL (DATABASE_URL)")
    return base


def _create_postgres_database(url: str) -> str:
    import psycopg

    parsed = make_url(url)
    name = f"leads_test_{RUN_ID}"
    admin = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return parsed.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url: str) -> None:
    import psycopg

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """PostgreSQL when DATABASE_URL is set (a database of this run's own), else a SQLite file."""
    base = os.environ.get("DATABASE_URL", "")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        return
    if base.startswith(("postgres://", "postgresql://")):
        base = "postgresql+psycopg://" + base.split("://", 1)[1]
    try:
        url = _create_postgres_database(base)
    except Exception as error:  # noqa: BLE001  (any connection failure means "not reachable")
        pytest.fail(f"DATABASE_URL is set but PostgreSQL is not reachable: {error}", pytrace=False)
    yield url
    _drop_postgres_database(url)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis URL, checked reachable; skips (fails in CI) without one."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        service_missing("Redis (REDIS_URL)")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.fail(f"REDIS_URL is set but Redis is not reachable: {error}", pytrace=False)
    return url


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def base_env(database_url, instance_dir) -> dict[str, str]:
    """The environment every test app starts from; tests add to it through `make_app`."""
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "INSTANCE_PATH": str(instance_dir),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "TESTING": "1",
        "RATELIMIT_KEY_PREFIX": f"test-{RUN_ID}",
        "CELERY_KEY_PREFIX": f"test-{RUN_ID}:",
        "CELERY_BROKER_URL": os.environ.get("REDIS_URL", "")
        or f"sqla+sqlite:///{instance_dir / 'broker.sqlite'}",
        "PUBLIC_BASE_URL": "http://clinic.test",
    }


@pytest.fixture(scope="session")
def _schema(base_env) -> None:
    """Create the tables once per run, from the models (migrations are tested on their own)."""
    app = create_app(env=base_env)
    with app.app_context():
        db.create_all()
        db.engine.dispose()


def _clear_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def make_app(base_env, _schema, tmp_path):
    """Build an app with extra environment or config; tables are emptied after the test."""
    built = []

    def factory(env: dict[str, str] | None = None, **overrides):
        merged = {**base_env, "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"), **(env or {})}
        app = create_app(overrides={"TESTING": True, **overrides}, env=merged)
        built.append(app)
        return app

    yield factory
    for app in built:
        with app.app_context():
            db.session.remove()
        if listener := app.extensions.get("article_changes"):
            listener.close()  # its LISTEN connection, outside the pool that dispose() closes
    if built:
        with built[0].app_context():
            _clear_tables()
    for app in built:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    """The default test app, with CSRF off; tests of CSRF build their own with `make_app`."""
    app = make_app(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        yield app


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on a free localhost port, recording every message."""
    from tests.mail.smtp import SmtpServer

    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
