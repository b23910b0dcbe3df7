"""Slow clients against the production web tier: gunicorn (gunicorn.conf.py: 2 sync workers)
behind Caddy running deploy/Caddyfile, both real processes.

Without the proxy the same 50 connections take gunicorn down: each sync worker takes one
connection and waits for the end of its headers (or body), so a normal request waits in
the listen backlog until gunicorn's 30 s timeout kills the held workers. Measured with
`python -m bench.slow_clients` (docs/benchmarks.md, "Slow clients"): gunicorn alone
answered no normal request within 10 s; behind Caddy, one in a few milliseconds.
"""

from __future__ import annotations

import http.client
import re
import shutil
import time

import pytest

from tests.conftest import service_missing
from tests.proxy.stack import caddy, free_port, get, gunicorn, slow_clients

SLOW_CLIENTS = 50


@pytest.fixture(scope="module")
def stack(base_env, _schema, tmp_path_factory):
    """The port of Caddy in front of gunicorn, both running for this module."""
    if shutil.which("caddy") is None:
        service_missing("caddy (apt-get install caddy)")
    workdir = tmp_path_factory.mktemp("proxy")
    web_port, proxy_port = free_port(), free_port()
    with (
        gunicorn(base_env, web_port, workdir / "gunicorn.log"),
        caddy(proxy_port, web_port, workdir, workdir / "caddy.log"),
    ):
        yield proxy_port


@pytest.mark.parametrize("part", ["headers", "body"])
def test_fifty_slow_clients_do_not_stop_a_normal_page(stack, part):
    assert get(stack, "/login")[0] == 200  # warm: templates compiled, connections open
    with slow_clients(stack, SLOW_CLIENTS, part) as slow:
        time.sleep(2.5)  # every slow client has sent a few more pieces by now
        answers = [get(stack, "/login", timeout=10) for _ in range(3)]
        held = slow.still_sending
    assert held == SLOW_CLIENTS, "the slow clients were cut off before the measurement"
    for status, _headers, body, seconds in answers:
        assert status == 200
        assert b'name="password"' in body
        assert seconds < 1.0, f"a normal page took {seconds:.2f} s behind {SLOW_CLIENTS} slow clients"


def test_pages_reference_fingerprinted_static_files_served_compressed_for_a_year(stack):
    status, headers, body, _ = get(stack, "/login")
    assert status == 200
    assert "max-age" not in (headers.get("Cache-Control") or "")
    stylesheet = re.search(rb'href="(/static/css/site\.css\?v=[0-9a-f]{12})"', body)
    assert stylesheet, "the page does not reference a fingerprinted stylesheet"
    status, headers, _body, _ = get(stack, stylesheet.group(1).decode(), headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_declared_body_over_the_apps_bound_is_refused_by_the_proxy(stack):
    conn = http.client.HTTPConnection("127.0.0.1", stack, timeout=10)
    try:
        conn.request("POST", "/login", body=b"a" * (64 * 1024 + 1))
        response = conn.getresponse()
        assert response.status == 413
        assert b"too large" in response.read()
    finally:
        conn.close()


def test_with_no_web_container_answering_patients_get_a_short_503_with_retry_after(tmp_path):
    if shutil.which("caddy") is None:
        service_missing("caddy (apt-get install caddy)")
    proxy_port, nothing_there = free_port(), free_port()
    with caddy(proxy_port, nothing_there, tmp_path, tmp_path / "caddy.log", ready_path=None):
        status, headers, body, seconds = get(proxy_port, "/", timeout=30)
    assert status == 503
    assert headers["Retry-After"] == "30"
    assert b"briefly unavailable" in body
    assert seconds >= 5, "the proxy should wait for a web container to come back first"
