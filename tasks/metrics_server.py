"""The Celery worker's own /metrics (emails sent/failed/retried, task run times).

A worker runs in its own process, often its own container, so the web's /metrics cannot
see its counts. With WORKER_METRICS_PORT set, the worker serves them itself, behind the
same METRICS_TOKEN / METRICS_ALLOW_NETWORKS rule as the web's page.
"""

from __future__ import annotations

import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import make_wsgi_app

from leads.monitoring import access_allowed


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass  # Prometheus asks every few seconds: not news


def metrics_wsgi_app(token: str, networks: list):
    exposition = make_wsgi_app()

    def guarded(environ, start_response):
        if environ.get("PATH_INFO") != "/metrics" or not access_allowed(
            environ.get("HTTP_AUTHORIZATION", ""), environ.get("REMOTE_ADDR"), token, networks
        ):
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        return exposition(environ, start_response)

    return guarded


def serve(config) -> WSGIServer:
    """Start serving in a daemon thread; returns the server (its port is server.server_port)."""
    app = metrics_wsgi_app(config["METRICS_TOKEN"], config["METRICS_ALLOW_NETWORKS"])
    server = make_server(
        config["WORKER_METRICS_HOST"], config["WORKER_METRICS_PORT"], app, handler_class=_Quiet
    )
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server
