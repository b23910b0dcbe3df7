"""Fixtures for the operations tests: a database stamped at the migrations' head."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from leads.extensions import db


@pytest.fixture
def stamp_head():
    """Record the scripts' head in alembic_version (the suite's schema comes from create_all);
    the table is dropped afterwards so no other test sees it."""
    stamped = []

    def stamp(app) -> None:
        # Through alembic's API, not `flask db stamp`: migrations/env.py runs fileConfig(),
        # which would disable the loggers other tests capture.
        with app.app_context(), db.engine.begin() as connection:
            script = ScriptDirectory(app.extensions["migrate"].directory)
            MigrationContext.configure(connection).stamp(script, "heads")
        stamped.append(app)

    yield stamp
    for app in stamped:
        with app.app_context():
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
            db.engine.dispose()
