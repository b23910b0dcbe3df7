"""`flask backup` / `flask restore`: a round trip restores every lead, on PostgreSQL and on SQLite."""

from __future__ import annotations

import html
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from leads import create_app
from leads.backup.service import BackupError, pg_tool
from leads.extensions import db
from leads.models import User
from tests.conftest import postgres_base_url, scratch_postgres_database, service_missing
from tests.factories import make_article, make_inquiry, make_lead, make_user
from tests.helpers import log_in

NAMES = ["Zoë Lindqvist", "Marcus O'Neill", "Ana María Pérez"]


@pytest.fixture
def pg_tools() -> None:
    """pg_dump and pg_restore must be installed; under CI a missing one fails the test."""
    for name in ("pg_dump", "pg_restore"):
        try:
            pg_tool(name)
        except BackupError:
            service_missing(name)


@contextmanager
def app_on(database_url: str, base_env: dict, instance: Path) -> Iterator:
    app = create_app(
        overrides={"TESTING": True},
        env={**base_env, "DATABASE_URL": database_url, "INSTANCE_PATH": str(instance)},
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _seed() -> None:
    db.create_all()
    make_user(role="admin")
    article = make_article()
    for name in NAMES:
        make_inquiry(make_lead(full_name=name), article, message=f"Message from {name}")
    db.session.commit()


def _contents() -> dict[str, list]:
    with db.engine.connect() as conn:
        return {
            table.name: sorted(map(tuple, conn.execute(sa.select(table))), key=repr)
            for table in db.metadata.sorted_tables
        }


def _inbox_shows_every_lead(app) -> None:
    """Through the app, as a coordinator would see it: the restored account logs in, the inbox lists them."""
    client = app.test_client()
    log_in(client, db.session.scalar(sa.select(User)))
    response = client.get("/dashboard/")
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    for name in NAMES:
        assert name in page


def _backup_and_check_mode(app, target: Path | None = None) -> Path:
    result = app.test_cli_runner().invoke(args=["backup", *([str(target)] if target else [])])
    assert result.exit_code == 0, result.output
    written = Path(result.output.split("backup written to ", 1)[1].split(" (", 1)[0])
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    return written


def test_postgresql_round_trip_dump_drop_restore(pg_tools, base_env, tmp_path):
    with scratch_postgres_database(postgres_base_url(), "leads_backup") as url:
        with app_on(url, base_env, tmp_path) as app:
            _seed()
            before = _contents()
            dump = _backup_and_check_mode(app, tmp_path / "out" / "leads.dump")

        _drop_and_create_empty(url)

        with app_on(url, base_env, tmp_path) as app:
            assert sa.inspect(db.engine).get_table_names() == []
            result = app.test_cli_runner().invoke(args=["restore", str(dump), "--yes"])
            assert result.exit_code == 0, result.output
        with app_on(url, base_env, tmp_path) as app:
            assert _contents() == before
            _inbox_shows_every_lead(app)


def _drop_and_create_empty(url: str) -> None:
    import psycopg

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP DATABASE "{parsed.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{parsed.database}"')


def test_sqlite_round_trip_to_the_default_backup_dir(base_env, tmp_path):
    database = tmp_path / "leads.sqlite"
    with app_on(f"sqlite:///{database}", base_env, tmp_path) as app:
        _seed()
        before = _contents()
        backup = _backup_and_check_mode(app)
        assert backup.parent == tmp_path / "backups"
        assert stat.S_IMODE(backup.parent.stat().st_mode) == 0o700
        db.engine.dispose()
    database.unlink()

    with app_on(f"sqlite:///{database}", base_env, tmp_path) as app:
        result = app.test_cli_runner().invoke(args=["restore", str(backup)], input="y\n")
        assert result.exit_code == 0, result.output
        assert _contents() == before
        _inbox_shows_every_lead(app)


def test_bad_input_gets_one_line_and_changes_nothing(base_env, tmp_path):
    database = tmp_path / "leads.sqlite"
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    with app_on(f"sqlite:///{database}", base_env, tmp_path) as app:
        _seed()
        before = _contents()
        runner = app.test_cli_runner()
        existing = runner.invoke(args=["backup", str(not_a_backup)])
        wrong = runner.invoke(args=["restore", str(not_a_backup), "--yes"])
        declined = runner.invoke(args=["restore", str(database)], input="n\n")
        assert _contents() == before
    assert existing.exit_code == 1 and "already exists" in existing.output
    assert wrong.exit_code == 1 and "neither a pg_dump custom-format archive nor a SQLite" in wrong.output
    assert declined.exit_code == 1 and "Aborted" in declined.output
    for result in (existing, wrong):
        assert "Traceback" not in result.output
    assert not_a_backup.read_text() == "hello"


def test_a_sqlite_backup_is_refused_by_postgresql(base_env, tmp_path):
    sqlite_file = tmp_path / "leads.sqlite"
    with app_on(f"sqlite:///{sqlite_file}", base_env, tmp_path):
        _seed()
    with (
        scratch_postgres_database(postgres_base_url(), "leads_backup") as url,
        app_on(url, base_env, tmp_path) as app,
    ):
        result = app.test_cli_runner().invoke(args=["restore", str(sqlite_file), "--yes"])
    assert result.exit_code == 1
    assert "is a sqlite backup but the database is postgresql" in result.output
