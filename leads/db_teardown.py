"""Ending a request's database session when the database went away under it (a restart).

Flask-SQLAlchemy's teardown rolls the session back; on a connection PostgreSQL has just
terminated, that rollback raises, after the response was built, and the client sees a broken
reply instead of the page. This runs first: a dead connection is invalidated instead (the pool
opens a fresh one for the next request).
"""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy.exc import DBAPIError

from leads.extensions import db

log = logging.getLogger(__name__)


def end_session(_error: BaseException | None = None) -> None:
    try:
        db.session.remove()
    except DBAPIError as error:
        log.warning("database connection lost at the end of a request: %s", type(error.orig).__name__)
        db.session().invalidate()  # the scoped registry still holds the failed session
        db.session.remove()


def init_app(app: Flask) -> None:
    # Registered after db.init_app(), so it runs before Flask-SQLAlchemy's own (teardowns run in reverse).
    app.teardown_appcontext(end_session)
