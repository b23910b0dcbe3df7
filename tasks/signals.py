"""Celery signal hooks: the request id travels with each task, task run times are measured,
and the worker and beat log JSON lines like the web app.

Connected once per process (dispatch_uid), whichever app built them.
"""

from __future__ import annotations

import time
from typing import Any

from celery import signals

from leads import metrics
from leads.logs import request_id_var, setup_root_logging

HEADER = "request_id"
_started: dict[str, tuple[float, Any]] = {}


def _stamp_request_id(headers: dict | None = None, **_: Any) -> None:
    """Publishing inside a request (or a task that has one): the message carries its id."""
    request_id = request_id_var.get()
    if headers is not None and request_id and HEADER not in headers:
        headers[HEADER] = request_id


def _task_started(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    request_id = getattr(task.request, HEADER, None) if task is not None else None
    token = request_id_var.set(request_id if isinstance(request_id, str) else None)
    if task_id is not None:
        _started[task_id] = (time.perf_counter(), token)


def _task_finished(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    started, token = _started.pop(task_id, (None, None))
    if started is not None and task is not None:
        metrics.TASK_SECONDS.labels(task.name).observe(time.perf_counter() - started)
    if token is not None:
        try:
            request_id_var.reset(token)
        except ValueError:  # finished in another context than it started: nothing to undo here
            request_id_var.set(None)


def connect(config) -> None:
    signals.before_task_publish.connect(_stamp_request_id, weak=False, dispatch_uid="leads.request_id")
    signals.task_prerun.connect(_task_started, weak=False, dispatch_uid="leads.task_started")
    signals.task_postrun.connect(_task_finished, weak=False, dispatch_uid="leads.task_finished")
    log_level, log_format = config["LOG_LEVEL"], config["LOG_FORMAT"]

    def logging_setup(**_: Any) -> None:
        # Connected, this replaces Celery's own logging set-up: the worker logs JSON lines too.
        setup_root_logging(log_level, log_format)

    def metrics_server(**_: Any) -> None:
        if config["WORKER_METRICS_PORT"]:
            from tasks.metrics_server import serve

            serve(config)

    signals.setup_logging.connect(logging_setup, weak=False, dispatch_uid="leads.setup_logging")
    signals.worker_ready.connect(metrics_server, weak=False, dispatch_uid="leads.worker_metrics")
