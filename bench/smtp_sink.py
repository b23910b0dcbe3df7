"""An SMTP sink for the benchmarks: accepts everything, writes one line per message, keeps nothing.

    python -m bench.smtp_sink --port 18025 --log sink.log

It runs in a process of its own, so the load client's threads don't slow its answers (one
interpreter lock). Each line is `<CLOCK_MONOTONIC seconds> <connection number> <bytes> <recipient>`:
the monotonic clock is the machine's, so the harness compares it with the time its client saw
the 303; the connection number counts SMTP connections.
"""

from __future__ import annotations

import argparse
import itertools
import signal
import threading
import time

from aiosmtpd.controller import Controller


class CountingHandler:
    def __init__(self, log) -> None:
        self.log = log
        self.connections = itertools.count(1)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # aiosmtpd's hook name
        session.bench_connection = next(self.connections)
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope) -> str:
        connection = getattr(session, "bench_connection", 0)
        self.log.write(
            f"{time.monotonic():.6f} {connection} {len(envelope.content)} {envelope.rcpt_tos[0]}\n"
        )
        self.log.flush()
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    with open(args.log, "a", encoding="utf-8") as log:
        controller = Controller(CountingHandler(log), hostname="127.0.0.1", port=args.port)
        controller.start()
        print("sink ready", flush=True)
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        signal.signal(signal.SIGINT, lambda *_: stopped.set())
        stopped.wait()
        controller.stop()


if __name__ == "__main__":
    main()
