"""The service as production runs it, for `make bench`: gunicorn, a Celery worker and beat,
PostgreSQL, Redis, and an SMTP sink; with what /proc says about their CPU and memory.

Everything is started from the project's own files (gunicorn.conf.py, the worker's command in
docker-compose.yml) on a fresh PostgreSQL database that is dropped afterwards, and a Redis
key prefix of its own.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from leads.config import PROJECT_ROOT

BIN = PROJECT_ROOT / ".venv" / "bin"
SEED = PROJECT_ROOT / "seed" / "stem-cell-spinal-stenosis.wp.json"
SLUG = "mayo-clinic-stem-cell-therapy-for-spinal-stenosis"
COORDINATOR = "bench.coordinator@clinic.example"
COORDINATOR_PASSWORD = "bench coordinator passphrase 4417"  # noqa: S105  (a throw-away database)
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def process_tree(pid: int) -> list[int]:
    """pid and its descendants, from /proc/<pid>/task/<tid>/children."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
    return found


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of these processes (their threads included), in seconds."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            # The command name may hold spaces: the fields start after its closing parenthesis.
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


def rss_mb(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log_path: Path

    def tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]

    def pids(self) -> list[int]:
        return process_tree(self.popen.pid)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)


def start(name: str, command: list[str], env: dict[str, str], folder: Path) -> Process:
    log_path = folder / f"{name}.log"
    log = log_path.open("wb")
    popen = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return Process(name, popen, log_path)


def wait_for(process: Process, ready, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            break
        if ready():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{process.name}: {what} did not happen:\n{process.tail()}")


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310  (our local server)
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def gunicorn(env: dict[str, str], folder: Path, name: str, app: str, port: int, **extra: str) -> Process:
    """gunicorn with the project's gunicorn.conf.py (2 sync workers, JSON access log)."""
    process = start(
        name,
        [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", app],
        {**env, "HOST": "127.0.0.1", "PORT": str(port), **extra},
        folder,
    )
    wait_for(process, lambda: answers(f"http://127.0.0.1:{port}/healthz"), "an answer on /healthz")
    return process


def flask(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "app", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@dataclass(frozen=True)
class Delivery:
    at: float  # CLOCK_MONOTONIC, as time.monotonic() here
    connection: int
    size: int
    recipient: str


@dataclass
class Stack:
    base_url: str
    env: dict[str, str]
    folder: Path
    sink_log: Path
    web: Process
    worker: Process
    beat: Process
    others: list[Process] = field(default_factory=list)
    _sink_offset: int = 0
    _deliveries: list[Delivery] = field(default_factory=list)

    def web_worker_pids(self) -> list[int]:
        return [pid for pid in self.web.pids() if pid != self.web.popen.pid]

    def cpu(self) -> dict[str, float]:
        return {"web": cpu_seconds(self.web.pids()), "worker": cpu_seconds(self.worker.pids())}

    def delivered(self) -> list[Delivery]:
        """Each message the sink accepted, in order (read on from where the last call stopped:
        the harness asks often, and the file grows to tens of thousands of lines)."""
        with self.sink_log.open("rb") as log:
            log.seek(self._sink_offset)
            data = log.read()
        complete = data[: data.rfind(b"\n") + 1]
        self._sink_offset += len(complete)
        for line in complete.decode().splitlines():
            at, connection, size, recipient = line.split(" ", 3)
            self._deliveries.append(Delivery(float(at), int(connection), int(size), recipient))
        return self._deliveries


def create_database(base_url: str) -> str:
    import psycopg

    name = f"leads_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(base_url: str, url: str) -> None:
    import psycopg

    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def stack_env(database_url: str, redis_url: str, folder: Path, port: int, sink_port: int) -> dict[str, str]:
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    return {
        **os.environ,
        "SECRET_KEY": "bench-only-secret-key-" + uuid.uuid4().hex,
        "INSTANCE_PATH": str(folder / "instance"),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_KEY_PREFIX": f"{prefix}:",
        "RATELIMIT_KEY_PREFIX": prefix,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(sink_port),
        "MAIL_USE_TLS": "0",
        "MAIL_DEFAULT_SENDER": "Bench Clinic <care@clinic.example>",
        # The limiter stays on, its limits above the benchmark's rate (all clients are 127.0.0.1).
        "INQUIRY_RATE_LIMIT": "1000000 per minute",
        "INQUIRY_POST_LIMIT": "1000000 per minute",
        # The invitations of the thousands of inquiries posted under load would come due five
        # minutes later, in the middle of another figure; an hour puts them after the run.
        "QUESTIONNAIRE_DELAY_SECONDS": "3600",
        "PYTHONPATH": str(PROJECT_ROOT),
        "PYTHONUNBUFFERED": "1",
    }


def create_coordinator(env: dict[str, str]) -> None:
    """The account the dashboard is measured with. Created after the patient-side figures: with a
    coordinator on duty each new lead also owes a notice email, which the peer's figures lack."""
    from leads import create_app
    from leads.auth.passwords import hash_password
    from leads.extensions import db
    from leads.models import User

    app = create_app(env=env)
    with app.app_context():
        db.session.add(
            User(
                email=COORDINATOR,
                full_name="Bench Coordinator",
                role="coordinator",
                password_hash=hash_password(COORDINATOR_PASSWORD),
            )
        )
        db.session.commit()
        db.engine.dispose()


@contextlib.contextmanager
def production_stack(pg_base: str, redis_url: str, folder: Path) -> Iterator[Stack]:
    """Migrate a fresh database, import the article, start sink, gunicorn, worker and beat."""
    folder.mkdir(parents=True, exist_ok=True)
    database_url = create_database(pg_base)
    port, sink_port = free_port(), free_port()
    env = stack_env(database_url, redis_url, folder, port, sink_port)
    processes: list[Process] = []
    try:
        flask(env, "db", "upgrade")
        flask(env, "articles", "import", "--profile", "spinal_stenosis", str(SEED))
        sink_log = folder / "sink.lines"
        sink_log.touch()
        sink = start(
            "sink",
            [sys.executable, "-m", "bench.smtp_sink", "--port", str(sink_port), "--log", str(sink_log)],
            env,
            folder,
        )
        processes.append(sink)
        wait_for(sink, lambda: "sink ready" in sink.tail(), "the sink's start")
        # As boot.sh serves: the workers add up their metrics through files of their own.
        (folder / "metrics").mkdir()
        web = gunicorn(
            env, folder, "web", "app:create_app()", port, PROMETHEUS_MULTIPROC_DIR=str(folder / "metrics")
        )
        processes.append(web)
        celery = [str(BIN / "celery"), "-A", "app:celery_app"]
        # As docker-compose.yml runs it: the thread pool, 4 threads.
        worker = start(
            "worker",
            [
                *celery,
                "worker",
                "--pool",
                "threads",
                "--concurrency",
                "4",
                "--loglevel",
                "INFO",
                "-n",
                f"bench-{port}@%h",
            ],
            env,
            folder,
        )
        processes.append(worker)
        beat = start(
            "beat",
            [*celery, "beat", "--schedule", str(folder / "beat.schedule"), "--loglevel", "INFO"],
            env,
            folder,
        )
        processes.append(beat)
        wait_for(worker, lambda: " ready." in worker.tail(), "the worker's start")
        wait_for(beat, lambda: "beat: Starting" in beat.tail(), "beat's start")
        yield Stack(f"http://127.0.0.1:{port}", env, folder, sink_log, web, worker, beat, [sink])
    finally:
        for process in reversed(processes):
            process.stop()
        drop_database(pg_base, database_url)
