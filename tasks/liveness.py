"""A heartbeat file the worker touches while it consumes, for health checks and the supervisor.

The step belongs to the worker's consumer: Celery stops it when the broker connection is lost
and starts it again once the worker consumes again, so a worker stuck reconnecting (or hung)
leaves the file to go stale. `scripts/healthcheck.py worker` and `scripts/supervise.py
--heartbeat` read the file's age.
"""

from __future__ import annotations

import logging
from pathlib import Path

from celery import bootsteps

log = logging.getLogger(__name__)

# How often the file is touched; checks call a worker dead after several missed beats.
HEARTBEAT_SECONDS = 5.0


class Heartbeat(bootsteps.StartStopStep):
    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent, **kwargs) -> None:
        self.path = Path(parent.app.conf.leads_worker_heartbeat_file)
        self.timer_entry = None

    def start(self, parent) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.beat()
        self.timer_entry = parent.timer.call_repeatedly(HEARTBEAT_SECONDS, self.beat)

    def stop(self, parent) -> None:
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None

    shutdown = stop

    def beat(self) -> None:
        try:
            self.path.touch()
        except OSError as error:
            # A full disk must not stop the worker; the stale file tells the checks.
            log.warning("worker heartbeat not written: %s", error.strerror)


def heartbeat_age(path: Path, now: float) -> float | None:
    """Seconds since the last beat, or None when there has been none."""
    try:
        return now - path.stat().st_mtime
    except FileNotFoundError:
        return None
