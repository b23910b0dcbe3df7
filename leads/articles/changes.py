"""PostgreSQL tells each web process when an article changed, so a cached page needs no query per GET.

A statement trigger on `articles` sends a notification on the `article_changed` channel at the
commit of any write, whichever code path made it (ORM, Core, psql, another process or host).
Each web process listens on a connection of its own and, before serving a cached page, asks
the kernel whether anything arrived (a poll of the socket, no round trip). Anything that
arrived, a lost connection, or a listener that has just started empties the process's cache:
what changed before it listened is unknown. While it cannot listen (SQLite, or PostgreSQL
down) each GET checks its page with one query instead (leads/articles/page_cache.py).
In this process, a flushed article empties the cache at once (a notification may arrive a
moment after the commit returns).
"""

from __future__ import annotations

import contextlib
import enum
import logging
import select
import threading
import time

import psycopg
from flask import Flask, current_app, has_app_context
from sqlalchemy import event

from leads.extensions import db
from leads.models.article_notify import CHANNEL

log = logging.getLogger(__name__)

# After a failed attempt to listen (the database down), the next one waits this long.
RETRY_SECONDS = 5.0


class Feed(enum.Enum):
    QUIET = "nothing changed since the last look"
    CHANGED = "something may have changed: forget the cached pages"
    BLIND = "not listening: check each page"


class ChangeListener:
    """One process's LISTEN connection, opened on first use (after gunicorn forks its workers)."""

    def __init__(self, conninfo: str, connect_timeout: int) -> None:
        self.conninfo = conninfo
        self.connect_timeout = connect_timeout
        self.connection: psycopg.Connection | None = None
        self.next_attempt = 0.0
        # Threaded servers (the development server) share one listener per process.
        self.lock = threading.Lock()

    def look(self) -> Feed:
        with self.lock:
            return self._look()

    def _look(self) -> Feed:
        if self.connection is None:
            return self._listen()
        poller = select.poll()
        poller.register(self.connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
        if not poller.poll(0):
            return Feed.QUIET
        pgconn = self.connection.pgconn
        # A closed socket fails here and leaves the status bad, which is checked below.
        with contextlib.suppress(psycopg.OperationalError):
            pgconn.consume_input()
        while pgconn.notifies() is not None:
            pass
        if pgconn.status != psycopg.pq.ConnStatus.OK:
            log.warning("article change listener lost its connection")
            self.close()
        return Feed.CHANGED

    def _listen(self) -> Feed:
        if time.monotonic() < self.next_attempt:
            return Feed.BLIND
        try:
            self.connection = psycopg.connect(
                self.conninfo, autocommit=True, connect_timeout=self.connect_timeout
            )
            self.connection.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as error:
            log.warning("article change listener cannot listen: %s", type(error).__name__)
            self.close()
            self.next_attempt = time.monotonic() + RETRY_SECONDS
            return Feed.BLIND
        return Feed.CHANGED

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.connection = None


def look() -> Feed:
    """What happened to the articles since this process last looked."""
    listener = current_app.extensions.get("article_changes")
    return listener.look() if listener is not None else Feed.BLIND


def _forget_pages_here(_mapper, _connection, _target) -> None:
    if has_app_context():
        current_app.extensions.get("article_pages", {}).clear()


def init_app(app: Flask) -> None:
    """Listen on PostgreSQL; on SQLite each GET checks its page (one in-process query)."""
    with app.app_context():
        url = db.engine.url
    if url.get_backend_name() == "postgresql":
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        timeout = app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("connect_args", {}).get("connect_timeout", 3)
        app.extensions["article_changes"] = ChangeListener(conninfo, timeout)
    from leads.models import Article

    for change in ("after_insert", "after_update", "after_delete"):
        if not event.contains(Article, change, _forget_pages_here):
            event.listen(Article, change, _forget_pages_here)
