"""gunicorn's settings: the image (boot.sh) and tests/proxy/ and tests/ops/ load this same file.

- Sync workers are safe only behind the buffering proxy (deploy/Caddyfile): a sync worker
  is held for the whole of a request, so it must receive the request whole and fast.
  Size with WEB_CONCURRENCY (see docs/operations.md, "Sizing").
- Logs: gunicorn's own and its access log as JSON lines on stderr, like the app's.
- The access log never shows questionnaire or unsubscribe tokens, nor query strings
  (dashboard searches carry names and emails): RedactingLogger cuts them out.
- Metrics: with PROMETHEUS_MULTIPROC_DIR set, each worker writes its counts to files there
  and /metrics adds them up; the master empties the directory when it starts and tells
  prometheus-client when a worker exits, so its live gauges are dropped.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from gunicorn.glogging import Logger

from leads.logs import redact_url

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104  (inside a container, behind the proxy)
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
# A request that has not finished in 30 s is a bug or a dead dependency: restart the worker.
timeout = 30
graceful_timeout = 30
# gunicorn 27's control socket (one fixed path under $HOME) is unused here, and two
# servers on one machine, as in the tests, would fight over it.
control_socket_disable = True

accesslog = "-"
# The request id is the app's response header, so a line here matches the app's own lines.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s'

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "leads.logs.RequestIdJsonFormatter"}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    },
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
    },
}


class RedactingLogger(Logger):
    """Gunicorn's logger, with tokens and query strings cut from every URL it would log."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["r"] = redact_url(atoms["r"])
        atoms["U"] = redact_url(atoms["U"] or "")
        atoms["q"] = "[redacted]" if atoms["q"] else ""
        for key in ("f", "{referer}i"):
            if atoms.get(key):
                atoms[key] = redact_url(atoms[key])
        return atoms


logger_class = RedactingLogger


def on_starting(server) -> None:
    """Check the settings once, in the master, and start metrics from an empty directory.

    A bad setting stops gunicorn here with one line; otherwise every worker fails on its
    own, and gunicorn (27) prints a traceback while halting when a second worker exits
    with the same error. Counts of a previous run would be added to this run's.
    """
    from leads.config import ConfigError, load_settings

    try:
        load_settings()
    except ConfigError as error:
        print(f"Error: {error}", file=sys.stderr, flush=True)
        sys.exit(4)  # app.CONFIG_ERROR_EXIT: nothing restarts in a loop on a bad setting
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
