"""Pooled PostgreSQL connections the server has closed are replaced when taken, without a round trip.

The pool's pre-ping (`SELECT 1` before every checkout) cost each request a round trip to the
database. A connection PostgreSQL closed (a restart, pg_terminate_backend, an idle timeout) can
be told without one: the server says goodbye or closes the socket, so an idle connection's
socket has something to read, which a live idle connection never has. Such a connection is
dropped at checkout and the pool opens a fresh one, so the first request after a restart gets
its page, not a 503. Connections a network device drops silently are retired by `pool_recycle`
(leads/config.py) before that can happen; a connection that dies during a request gives the
503 with Retry-After (leads/errors.py), and the pool replaces it.
"""

from __future__ import annotations

import select

from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError

from leads.extensions import db


def closed_by_server(dbapi_connection) -> bool:
    """Whether this idle psycopg connection is closed, or its server has sent something (a goodbye)."""
    if dbapi_connection.closed or getattr(dbapi_connection, "broken", False):
        return True
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


def _drop_closed(dbapi_connection, _record, _proxy) -> None:
    if closed_by_server(dbapi_connection):
        # The pool discards this connection and checks out a new one (up to three tries).
        raise DisconnectionError("the database server closed this pooled connection")


def init_app(app: Flask) -> None:
    """PostgreSQL only: SQLite has no server to close anything."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        event.listen(engine, "checkout", _drop_closed)
