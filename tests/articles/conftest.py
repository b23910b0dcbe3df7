"""Fixtures for the article import tests: post bodies and small local HTTP servers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

POSTS = Path(__file__).resolve().parent / "posts"


def load_post(name: str) -> dict:
    """A post body from tests/articles/posts/<name>.wp.json."""
    return json.loads((POSTS / f"{name}.wp.json").read_text())


@pytest.fixture
def post_file(tmp_path):
    """Write a payload (dict/list -> JSON, str/bytes as they are) to a file; returns its path."""

    def write(payload, name: str = "post.json") -> str:
        path = tmp_path / name
        if isinstance(payload, bytes):
            path.write_bytes(payload)
        elif isinstance(payload, str):
            path.write_text(payload)
        else:
            path.write_text(json.dumps(payload))
        return str(path)

    return write


@pytest.fixture
def http_server() -> Iterator[tuple[str, dict]]:
    """A local HTTP server on a free port; tests fill `routes` with path -> (status, content type, body)
    or (status, content type, body, extra headers); extra headers replace the defaults."""
    routes: dict[str, tuple] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, content_type, body, *extra = routes.get(
                self.path, (404, "text/html", b"<h1>Not found</h1>")
            )
            headers = {
                "Content-Type": content_type,
                "Content-Length": str(len(body)),
                **(extra[0] if extra else {}),
            }
            self.send_response(status)
            for name, value in headers.items():
                if value is not None:
                    self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", routes
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
