"""A PostgreSQL cluster and a Redis server of a test's own, to stop and start under load.

Never the machine's shared ones: these live in a temporary directory, on a port of their own
(the first free one in TEST_SERVICE_PORTS, default 5171-5179). Without the binaries the
test skips, or fails under CI=true (through `service_missing`).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from tests.conftest import service_missing


def free_port_in_range() -> int:
    first, _, last = os.environ.get("TEST_SERVICE_PORTS", "5171-5179").partition("-")
    for port in range(int(first), int(last or first) + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError(f"no free port in TEST_SERVICE_PORTS {first}-{last}")


def _wait_port(port: int, up: bool, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            listening = sock.connect_ex(("127.0.0.1", port)) == 0
        if listening == up:
            return
        time.sleep(0.05)
    raise AssertionError(f"port {port} did not go {'up' if up else 'down'}")


class OwnPostgres:
    """initdb into a temporary directory; pg_ctl start/stop. Run as `postgres` when we are root."""

    def __init__(self) -> None:
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not binaries:
            service_missing("PostgreSQL server binaries (initdb)")
        self.bin = Path(binaries[-1]).parent
        self.port = free_port_in_range()
        self.root = Path(tempfile.mkdtemp(prefix="leads-test-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.root, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")

    def _run(self, tool: str, *args: str) -> None:
        result = subprocess.run(
            [*self.as_user, str(self.bin / tool), *args], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise AssertionError(f"{tool} failed: {result.stdout}\n{result.stderr}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start")
        _wait_port(self.port, up=True)

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        _wait_port(self.port, up=False)

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def destroy(self) -> None:
        with contextlib.suppress(AssertionError):  # already stopped
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class OwnRedis:
    """redis-server on a port of its own, nothing persisted: a restart loses what it held."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            service_missing("redis-server binary")
        self.port = free_port_in_range()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_port(self.port, up=True)

    def stop(self) -> None:
        """SIGKILL: the outage the drills saw, with no goodbye to the clients."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        _wait_port(self.port, up=False)
