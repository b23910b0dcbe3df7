"""Real processes for the tests: Celery workers, beat and gunicorn, each logging to a file.

The file is what a failing test shows: the tail of the log of the process that misbehaved.
"""

from __future__ import annotations

import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from leads.config import PROJECT_ROOT

BIN = PROJECT_ROOT / ".venv" / "bin"
CELERY = str(BIN / "celery")
GUNICORN = str(BIN / "gunicorn")


class LoggedProcess:
    """One process started from the project root; its output goes to `log_path`."""

    def __init__(self, command: list[str], env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self.log = log_path.open("wb")
        self.process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_output(self, marker: str, timeout: float = 30.0) -> LoggedProcess:
        """Wait until `marker` appears in the log; fail with the log's tail if the process dies first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if marker in self.output():
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"{self.log_path.name}: no {marker!r}:\n{self.output()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no chance to finish or give anything back."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            # The test is over and the rows say what happened; a graceful shutdown only costs time.
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


class Worker(LoggedProcess):
    """`celery -A app:celery_app worker` with the thread pool."""

    def __init__(self, env: dict[str, str], log_path: Path, name: str, concurrency: int) -> None:
        super().__init__(
            [
                CELERY, "-A", "app:celery_app", "worker", "--pool", "threads",
                "--concurrency", str(concurrency), "--without-heartbeat", "--without-gossip",
                "--without-mingle", "--loglevel", "INFO", "-n", f"{name}@%h",
            ],
            env,
            log_path,
        )  # fmt: skip

    def wait_ready(self, timeout: float = 30.0) -> Worker:
        self.wait_for_output(" ready.", timeout)
        return self


class Beat(LoggedProcess):
    """`celery -A app:celery_app beat`, its schedule file beside its log."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        schedule = log_path.with_suffix(".schedule")
        super().__init__(
            [CELERY, "-A", "app:celery_app", "beat", "--schedule", str(schedule), "--loglevel", "INFO"],
            env,
            log_path,
        )

    def wait_ready(self, timeout: float = 30.0) -> Beat:
        self.wait_for_output("beat: Starting", timeout)
        return self


class Gunicorn(LoggedProcess):
    """The app as production serves it: `gunicorn 'app:create_app()'` on 127.0.0.1:`port`."""

    def __init__(self, env: dict[str, str], log_path: Path, port: int, workers: int = 2) -> None:
        self.base_url = f"http://127.0.0.1:{port}"
        super().__init__(
            [GUNICORN, "--workers", str(workers), "--threads", "4", "--bind", f"127.0.0.1:{port}",
             "app:create_app()"],
            env,
            log_path,
        )  # fmt: skip

    def wait_ready(self, timeout: float = 60.0) -> Gunicorn:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as response:  # noqa: S310  (our local server)
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise AssertionError(f"gunicorn did not start:\n{self.output()[-3000:]}")
