"""A webhook receiver on a free loopback port that verifies Standard Webhooks signatures.

The check is written here from the specification, not imported from the app, so a wrong
signature in the app cannot be matched by the same mistake in the test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self) -> None:
        self.secret = ""
        self.fail_first = 0  # answer 500 to this many requests first
        self.received: list[dict] = []  # every request: headers, body, verified, answered
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = 500 if len(receiver.received) < receiver.fail_first else 204
                receiver.received.append(
                    {
                        "id": self.headers.get("webhook-id"),
                        "timestamp": self.headers.get("webhook-timestamp"),
                        "verified": receiver.verify(self.headers, body),
                        "payload": json.loads(body),
                        "status": status,
                    }
                )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def verify(self, headers, body: bytes) -> bool:
        key = base64.b64decode(self.secret.split("_", 1)[1])
        content = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
        expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
        signatures = [
            part.split(",", 1)[1]
            for part in headers["webhook-signature"].split(" ")
            if part.startswith("v1,")
        ]
        return any(hmac.compare_digest(expected, signature) for signature in signatures)

    def accepted(self) -> list[dict]:
        return [request for request in self.received if request["status"] < 300]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
