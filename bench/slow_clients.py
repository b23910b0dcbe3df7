"""Slow clients (headers trickled one line a second) against gunicorn alone and behind Caddy.

`python -m bench.slow_clients`: starts gunicorn with gunicorn.conf.py (2 sync workers) on a
throw-away SQLite database, then Caddy with deploy/Caddyfile in front of it, opens 50
slow connections to each in turn and times three normal `GET /login` requests. Needs the
`caddy` binary. Results: docs/benchmarks.md, "Slow clients".
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from tests.proxy.stack import caddy, free_port, get, gunicorn, slow_clients

SLOW = 50
PATIENCE_SECONDS = 10


def normal_requests(port: int) -> list[str]:
    times = []
    for _ in range(3):
        try:
            status, _headers, _body, seconds = get(port, "/login", timeout=PATIENCE_SECONDS)
            times.append(f"{status} in {seconds * 1000:.0f} ms")
        except OSError as error:
            times.append(f"no answer within {PATIENCE_SECONDS} s ({type(error).__name__})")
    return times


def measure(port: int, part: str) -> list[str]:
    get(port, "/login")
    with slow_clients(port, SLOW, part) as slow:
        time.sleep(2.5)
        times = normal_requests(port)
        print(f"  slow clients still sending: {slow.still_sending}/{SLOW}")
    return times


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="slow-clients-"))
    env = {
        "SECRET_KEY": "bench-secret-key-not-for-production",
        "INSTANCE_PATH": str(workdir / "instance"),
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite'}",
    }
    web_port, proxy_port = free_port(), free_port()
    for part in ("headers", "body"):
        with gunicorn(env, web_port, workdir / "gunicorn.log"):
            print(f"gunicorn alone (2 sync workers), {SLOW} clients trickling their {part}:")
            for line in measure(web_port, part):
                print("  GET /login:", line)
        with (
            gunicorn(env, web_port, workdir / "gunicorn.log"),
            caddy(proxy_port, web_port, workdir, workdir / "caddy.log"),
        ):
            print(f"behind Caddy (deploy/Caddyfile), {SLOW} clients trickling their {part}:")
            for line in measure(proxy_port, part):
                print("  GET /login:", line)


if __name__ == "__main__":
    main()
