"""Sentry: set up for Flask and Celery when SENTRY_DSN is set, and what it sends holds no personal data.

The DSN points at an HTTP server of the test's own, which records the envelopes it gets.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk

NAME, EMAIL, SEARCH = "Quincy Vandermolen", "quincy.vandermolen@example.com", "vandermolen"


class Collector(BaseHTTPRequestHandler):
    bodies: list[bytes] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        self.bodies.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def sentry_server():
    Collector.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: the rest of the suite runs with Sentry off


def events(timeout: float = 15) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = []
        for body in Collector.bodies:
            lines = body.split(b"\n")
            for header, payload in zip(lines[1::2], lines[2::2], strict=False):
                if json.loads(header).get("type") == "event":
                    found.append(json.loads(payload))
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no event reached the server ({len(Collector.bodies)} envelopes)")


def test_no_dsn_means_no_sentry(make_app):
    make_app()
    assert not sentry_sdk.get_client().is_active()


def test_errors_reach_sentry_without_personal_data(make_app, sentry_server):
    dsn = f"http://publickey@127.0.0.1:{sentry_server.server_port}/1"
    app = make_app(env={"SENTRY_DSN": dsn}, WTF_CSRF_ENABLED=False)
    options = sentry_sdk.get_client().options
    assert not options["send_default_pii"]
    assert options["max_request_body_size"] == "never"
    collected = options["data_collection"]
    assert collected["user_info"] is False and collected["stack_frame_variables"] is False
    assert collected["http_bodies"] == [] and collected["cookies"]["mode"] == "off"
    assert collected["url_query_params"]["mode"] == "off"
    assert {"flask", "celery"} <= set(sentry_sdk.get_client().integrations)

    def boom(token: str):
        secret = request.form["email"]  # a local variable with personal data
        raise ValueError(f"cannot handle {secret} / {request.args['q']}")

    from flask import request

    app.add_url_rule("/_boom/<token>", "boom", boom, methods=["POST"])
    client = app.test_client()
    client.set_cookie("session", "cookie-of-" + SEARCH)
    response = client.post(
        "/_boom/not-a-secret",
        query_string={"q": SEARCH},
        data={"full_name": NAME, "email": EMAIL},
        headers={"X-Patient": NAME, "Authorization": "Bearer " + SEARCH},
    )
    assert response.status_code == 500
    sentry_sdk.flush(timeout=10)

    found = events()
    exception = next(event for event in found if "exception" in event)
    assert exception["exception"]["values"][-1]["type"] == "ValueError"
    assert "data" not in exception.get("request", {})
    raw = b"".join(Collector.bodies).decode(errors="replace").lower()
    for secret in (NAME, *NAME.split(), EMAIL, SEARCH):
        assert secret.lower() not in raw, secret


def test_scrub_cuts_tokens_headers_and_messages():
    from leads.sentry import scrub

    event = {
        "request": {
            "url": "http://clinic.test/q/abc.def",
            "query_string": "q=ana",
            "data": {"email": "a@b.c"},
            "cookies": {"session": "x"},
            "headers": {"Authorization": "Bearer t", "User-Agent": "ua", "X-Patient": "Ana"},
        },
        "user": {"email": "a@b.c"},
        "exception": {"values": [{"type": "IntegrityError", "value": "Key (email)=(a@b.c)", "stacktrace": {
            "frames": [{"function": "f", "vars": {"email": "a@b.c"}}]}}]},
    }  # fmt: skip
    scrubbed = scrub(event)
    assert scrubbed["request"] == {"url": "http://clinic.test/q/[redacted]", "headers": {"User-Agent": "ua"}}
    assert "user" not in scrubbed
    assert scrubbed["exception"]["values"][0] == {
        "type": "IntegrityError",
        "value": "",
        "stacktrace": {"frames": [{"function": "f"}]},
    }
