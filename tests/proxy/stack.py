"""Real processes for the proxy tests and bench/slow_clients.py: gunicorn with gunicorn.conf.py
(as in the image), Caddy with deploy/Caddyfile (as in docker-compose), and slow clients."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from leads.config import PROJECT_ROOT

CADDYFILE = PROJECT_ROOT / "deploy" / "Caddyfile"
GUNICORN_CONF = PROJECT_ROOT / "gunicorn.conf.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, timeout: float = 10, headers: Mapping[str, str] | None = None):
    """One GET on a fresh connection: (status, headers, body, seconds)."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=dict(headers or {}))
        response = conn.getresponse()
        body = response.read()
        return response.status, response.headers, body, time.perf_counter() - started
    finally:
        conn.close()


def wait_until_serving(port: int, path: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the process on port {port} exited with {process.returncode}")
        try:
            if get(port, path, timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"nothing answered 200 on port {port}{path} within {seconds} s")


@contextmanager
def running(command: list[str], env: Mapping[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """Start `command` in its own process group; stop it (and its children) afterwards."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, 15)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, 9)
                    process.wait()


@contextmanager
def gunicorn(app_env: Mapping[str, str], port: int, log: Path) -> Iterator[subprocess.Popen]:
    """gunicorn as boot.sh starts it: gunicorn.conf.py (2 sync workers), behind one proxy."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        **app_env,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "TRUSTED_PROXY_COUNT": "1",
    }
    env.pop("WEB_CONCURRENCY", None)  # the file's default, as in compose
    command = [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF), "app:create_app()"]
    with running(command, env, log) as process:
        wait_until_serving(port, "/healthz", process)
        yield process


@contextmanager
def caddy(
    port: int, upstream_port: int, workdir: Path, log: Path, ready_path: str | None = "/healthz"
) -> Iterator[subprocess.Popen]:
    """Caddy on deploy/Caddyfile, unchanged: only its environment names the ports.

    Ready once `ready_path` answers 200 through it; with None, once its admin API answers.
    """
    binary = shutil.which("caddy")
    if binary is None:
        raise FileNotFoundError("caddy")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),
        "XDG_DATA_HOME": str(workdir / "data"),
        "XDG_CONFIG_HOME": str(workdir / "config"),
        "SITE_ADDRESS": f"http://:{port}",
        "UPSTREAM_HOST": "localhost",
        "UPSTREAM_PORT": str(upstream_port),
        "CADDY_ADMIN": f"127.0.0.1:{free_port()}",
    }
    command = [binary, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"]
    with running(command, env, log) as process:
        if ready_path is None:
            wait_until_serving(int(env["CADDY_ADMIN"].rsplit(":", 1)[1]), "/config/", process)
        else:
            wait_until_serving(port, ready_path, process)
        yield process


# What each slow client sends at once; then one more piece a second, never the end.
SLOW_STARTS = {
    "headers": b"GET /login HTTP/1.1\r\nHost: clinic.test\r\n",
    "body": b"POST /login HTTP/1.1\r\nHost: clinic.test\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    b"Content-Length: 4096\r\n\r\nemail=",
}


class SlowClients:
    """`count` connections trickling their headers (one line a second) or their body (a byte a second)."""

    def __init__(self, port: int, count: int, part: str = "headers") -> None:
        self.part = part
        self.sockets = []
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(SLOW_STARTS[part])
            self.sockets.append(sock)
        self.still_sending = len(self.sockets)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, daemon=True)
        self._thread.start()

    def _trickle(self) -> None:
        line = 0
        while not self._stop.wait(1.0):
            line += 1
            sending = 0
            for sock in self.sockets:
                try:
                    sock.sendall(f"X-Slow-{line}: {line}\r\n".encode() if self.part == "headers" else b"a")
                    sending += 1
                except OSError:
                    pass
            self.still_sending = sending

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for sock in self.sockets:
            sock.close()


@contextmanager
def slow_clients(port: int, count: int, part: str = "headers") -> Iterator[SlowClients]:
    clients = SlowClients(port, count, part)
    try:
        yield clients
    finally:
        clients.close()
