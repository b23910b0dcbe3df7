"""`articles import URL` reaches public addresses only (unless --allow-private-network), checks every
redirect, has one deadline for the whole fetch, and tells no open port from a closed one."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from leads.articles.fetch import is_public
from leads.articles.importer import ArticleImportError
from leads.articles.source import load_source
from tests.articles.test_cli import article_count, assert_refused
from tests.factories import SEED_PATH

POST = "/wp-json/wp/v2/posts/12622"


class LoggedRoute(tuple):
    """A route of the `http_server` fixture that notes each time the server serves it."""

    def __new__(cls, log: list, route: tuple):
        made = super().__new__(cls, route)
        made.log = log
        return made

    def __iter__(self):
        self.log.append("served")
        return super().__iter__()


@pytest.fixture
def served(http_server):
    base, routes = http_server
    routes[POST] = (200, "application/json", SEED_PATH.read_bytes())
    return base, routes


@pytest.mark.parametrize(
    "address",
    [
        *("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1"),
        *("0.0.0.0", "::1", "fe80::1", "fd00:ec2::254", "::ffff:127.0.0.1", "::ffff:169.254.169.254"),  # noqa: S104
        "224.0.0.1",
    ],
)
def test_non_public_addresses_are_not_public(address):
    assert not is_public(ipaddress.ip_address(address))


def test_public_addresses_are_public():
    assert is_public(ipaddress.ip_address("93.184.215.14"))
    assert is_public(ipaddress.ip_address("2606:2800:21f:cb07:6820:80da:af6b:8b2c"))


def test_a_loopback_url_is_refused_without_the_flag_and_never_fetched(runner, served):
    base, routes = served
    requests = []
    status, kind, body = routes[POST]
    routes[POST] = LoggedRoute(requests, (status, kind, body))
    result = runner.invoke(args=["articles", "import", f"{base}{POST}"])
    assert_refused(result, "pass --allow-private-network")
    assert result.stderr.startswith(f"Error: Refused {base}{POST}")
    assert requests == []


def test_a_host_name_is_checked_after_dns_resolution(runner, served):
    base, _ = served
    port = base.rsplit(":", 1)[1]
    result = runner.invoke(args=["articles", "import", f"http://localhost:{port}{POST}"])
    assert_refused(result, "pass --allow-private-network")


def test_the_flag_allows_the_private_network(runner, served):
    base, _ = served
    result = runner.invoke(args=["articles", "import", "--allow-private-network", f"{base}{POST}"])
    assert result.exit_code == 0, result.output
    assert article_count() == 1


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/post.json"])
def test_a_redirect_to_a_private_address_is_refused(served, target):
    base, routes = served
    routes["/moved"] = (302, "text/plain", b"", {"Location": target})
    # The local server is let through by its exact address, as a public host would be;
    # where it redirects is checked like any other address.
    with pytest.raises(ArticleImportError, match=r"Refused .*pass --allow-private-network"):
        load_source(f"{base}/moved", extra_allowed={"127.0.0.1"})
    routes["/moved-ok"] = (302, "text/plain", b"", {"Location": f"{base}{POST}"})
    assert load_source(f"{base}/moved-ok", extra_allowed={"127.0.0.1"})["id"] == 12622


def test_a_redirect_to_loopback_on_another_port_is_refused(served):
    base, routes = served
    port = int(base.rsplit(":", 1)[1])
    routes["/moved"] = (302, "text/plain", b"", {"Location": f"http://[::1]:{port}{POST}"})
    with pytest.raises(ArticleImportError, match="Refused"):
        load_source(f"{base}/moved", extra_allowed={"127.0.0.1"})


@pytest.fixture
def dripping_server():
    """Answers headers at once, then one byte of the body every 0.2 s: each read is quick, the whole is not."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass

        def log_message(self, format, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_whole_fetch_has_one_deadline(dripping_server):
    started = time.monotonic()
    with pytest.raises(ArticleImportError, match="no complete answer within 1 seconds"):
        load_source(f"{dripping_server}/slow", timeout=1, allow_private_network=True)
    # Well before the 20 s the server would drip for (generous: the machine is shared).
    assert time.monotonic() - started < 8


@pytest.fixture
def not_http_port():
    """A port where something listens but speaks no HTTP (an SSH banner, say)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()


def test_an_open_port_and_a_closed_one_fail_alike(not_http_port):
    with socket.socket() as sock:  # free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    messages = []
    for port in (not_http_port, closed):
        with pytest.raises(ArticleImportError) as caught:
            load_source(f"http://127.0.0.1:{port}/", allow_private_network=True)
        messages.append(str(caught.value).replace(str(port), "PORT"))
    assert messages[0] == messages[1] == "Cannot fetch http://127.0.0.1:PORT/: no HTTP answer"
