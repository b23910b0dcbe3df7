"""gunicorn's settings: the image (boot.sh) and tests/proxy/ load this same file.

Sync workers are safe only behind the buffering proxy (deploy/Caddyfile): a sync worker
is held for the whole of a request, so it must receive the request whole and fast.
Size with WEB_CONCURRENCY (see docs/operations.md, "Sizing").
"""

import os
import sys

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104  (inside a container, behind the proxy)
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
# A request that has not finished in 30 s is a bug or a dead dependency: restart the worker.
timeout = 30
graceful_timeout = 30
# No access log: URLs carry questionnaire and unsubscribe tokens.
accesslog = None
# gunicorn 27's control socket (one fixed path under $HOME) is unused here, and two
# servers on one machine, as in the tests, would fight over it.
control_socket_disable = True


def on_starting(server) -> None:
    """Check the settings once, in the master: a bad one stops gunicorn here with one line.

    Otherwise every worker fails on its own, and gunicorn (27) prints a traceback while
    halting when a second worker exits with the same error.
    """
    from leads.config import ConfigError, load_settings

    try:
        load_settings()
    except ConfigError as error:
        print(f"Error: {error}", file=sys.stderr, flush=True)
        sys.exit(4)  # app.CONFIG_ERROR_EXIT: nothing restarts in a loop on a bad setting
