"""A real SMTP server on localhost (aiosmtpd) that records what arrives and fails on request."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class RecordingHandler:
    """Records each accepted message; `fail_next` replies (e.g. '451 ...') are used up first."""

    messages: list[EmailMessage] = field(default_factory=list)
    fail_next: list[str] = field(default_factory=list)
    always: str | None = None  # e.g. '550 ...': every DATA gets this reply
    delay_seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    refused: int = 0
    # The client's (host, port) of each accepted message: one value per SMTP connection.
    peers: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd calls it by this name
        with self.lock:
            if self.always:
                self.refused += 1
                return self.always
            if self.fail_next:
                self.refused += 1
                return self.fail_next.pop(0)
        if self.delay_seconds:
            time.sleep(self.delay_seconds)  # blocks the server loop on purpose: a slow relay
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
            self.peers.append(session.peer)
        return "250 OK"

    def message_ids(self) -> Counter:
        with self.lock:
            return Counter(message["Message-ID"] for message in self.messages)

    def wait_for(self, count: int, timeout: float = 20.0) -> list[EmailMessage]:
        """Wait until at least `count` messages arrived; returns them all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        with self.lock:
            raise AssertionError(f"expected {count} messages, {len(self.messages)} arrived")


class SmtpServer:
    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def env(self) -> dict[str, str]:
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(self.port), "MAIL_USE_TLS": "0"}
