"""Keep one process running: restart it when it exits, or when its heartbeat goes stale.

    python scripts/supervise.py [--heartbeat] -- celery -A app:celery_app worker ...

`make run` (the Procfile) and the compose stack start the worker and the scheduler through
this, so a worker that died (kombu's "Unrecoverable error" after a Redis outage) or stopped
consuming comes back by itself instead of leaving the rest running without it. Restarts back
off from 1 s to 30 s while the process keeps dying at once. With `--heartbeat`, the process
is restarted when the file named by WORKER_HEARTBEAT_FILE is older than
WORKER_HEARTBEAT_STALE_SECONDS (tasks/liveness.py writes it while the worker consumes).
SIGTERM and SIGINT are passed on, and then this exits with the process.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# A process that ran this long before dying was healthy: the next restart is immediate again.
HEALTHY_RUN_SECONDS = 60.0
MAX_BACKOFF_SECONDS = 30.0
STOP_GRACE_SECONDS = 10.0


def say(message: str) -> None:
    print(f"supervise: {message}", file=sys.stderr, flush=True)


class Supervisor:
    def __init__(self, command: list[str], heartbeat: Path | None, stale_seconds: float) -> None:
        self.command = command
        self.heartbeat = heartbeat
        self.stale_seconds = stale_seconds
        self.stopping = False
        self.child: subprocess.Popen | None = None
        self.started = 0.0

    def start(self) -> None:
        self.child = subprocess.Popen(self.command)  # noqa: S603  (the operator's own command line)
        self.started = time.time()

    def stale_for(self) -> float | None:
        """Seconds past the stale limit since the last beat (or the start), None while fresh."""
        if self.heartbeat is None:
            return None
        try:
            last = max(self.heartbeat.stat().st_mtime, self.started)
        except FileNotFoundError:
            last = self.started
        age = time.time() - last
        return age if age > self.stale_seconds else None

    def stop_child(self, sig: int = signal.SIGTERM) -> int:
        child = self.child
        if child.poll() is None:
            child.send_signal(sig)
            try:
                child.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
        return child.wait()

    def on_signal(self, signum: int, _frame: object) -> None:
        self.stopping = True
        if self.child is not None and self.child.poll() is None:
            self.child.send_signal(signum)

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.on_signal)
        signal.signal(signal.SIGINT, self.on_signal)
        backoff = 1.0
        self.start()
        while True:
            code = self.child.poll()
            if self.stopping:
                return self.stop_child()
            if code is None:
                age = self.stale_for()
                if age is None:
                    time.sleep(0.5)
                    continue
                say(
                    f"no heartbeat for {age:.0f}s from {self.command[0]} (pid {self.child.pid}); restarting it"
                )
                self.stop_child()
                backoff = 1.0
            else:
                ran = time.time() - self.started
                backoff = 1.0 if ran >= HEALTHY_RUN_SECONDS else backoff
                say(f"{self.command[0]} exited with {code} after {ran:.0f}s; restarting in {backoff:.0f}s")
                deadline = time.monotonic() + backoff
                while time.monotonic() < deadline and not self.stopping:
                    time.sleep(0.2)
                if self.stopping:
                    return code
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            self.start()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--heartbeat", action="store_true", help="restart when the worker's heartbeat is stale"
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command to keep running")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    heartbeat, stale = None, 0.0
    if args.heartbeat:
        from leads.config import load_settings

        settings = load_settings()
        heartbeat = Path(settings["WORKER_HEARTBEAT_FILE"])
        stale = float(settings["WORKER_HEARTBEAT_STALE_SECONDS"])
    return Supervisor(command, heartbeat, stale).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
