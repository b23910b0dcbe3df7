"""Container health checks: `python scripts/healthcheck.py web|worker|scheduler`.

Exit 0 when healthy, 1 otherwise, as Docker's HEALTHCHECK expects. The images have
no curl, so this uses only the standard library (and the settings, for the worker's heartbeat).
"""

from __future__ import annotations

import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# beat rewrites its schedule file after sending a due task; the outbox sweep runs every
# minute, so a file older than this means beat has stopped working.
SCHEDULE_STALE_SECONDS = 600


def web() -> bool:
    port = os.environ.get("PORT", "8000")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def worker() -> bool:
    """The worker touches its heartbeat file while it consumes (tasks/liveness.py)."""
    from leads.config import load_settings
    from tasks.liveness import heartbeat_age

    settings = load_settings()
    age = heartbeat_age(Path(settings["WORKER_HEARTBEAT_FILE"]), time.time())
    return age is not None and age < settings["WORKER_HEARTBEAT_STALE_SECONDS"]


def scheduler() -> bool:
    schedule = Path(os.environ.get("BEAT_SCHEDULE_FILE", "/app/instance/celerybeat-schedule"))
    files = list(schedule.parent.glob(schedule.name + "*"))
    return any(time.time() - path.stat().st_mtime < SCHEDULE_STALE_SECONDS for path in files)


CHECKS = {"web": web, "worker": worker, "scheduler": scheduler}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in CHECKS:
        sys.exit(f"usage: healthcheck.py {'|'.join(CHECKS)}")
    sys.exit(0 if CHECKS[sys.argv[1]]() else 1)
