"""Fixtures for the operations tests: a database stamped at the migrations' head."""

from __future__ import annotations

import flask_migrate
import pytest
import sqlalchemy as sa

from leads.extensions import db


@pytest.fixture
def stamp_head():
    """Record the scripts' head in alembic_version (the suite's schema comes from create_all);
    the table is dropped afterwards so no other test sees it."""
    stamped = []

    def stamp(app) -> None:
        with app.app_context():
            flask_migrate.stamp()
        stamped.append(app)

    yield stamp
    for app in stamped:
        with app.app_context():
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
            db.engine.dispose()
