"""gunicorn's settings: the image (boot.sh) and tests/proxy/ load this same file.

Sync workers are safe only behind the buffering proxy (deploy/Caddyfile): a sync worker
is held for the whole of a request, so it must receive the request whole and fast.
Size with WEB_CONCURRENCY (see docs/operations.md, "Sizing").
"""

import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104  (inside a container, behind the proxy)
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
# A request that has not finished in 30 s is a bug or a dead dependency: restart the worker.
timeout = 30
graceful_timeout = 30
# No access log: URLs carry questionnaire and unsubscribe tokens.
accesslog = None
