"""Fetch an http(s) URL for the importer without reaching into the clinic's own network.

An import URL is typed by a person who may have pasted it from anywhere, so it must not become
a way to read the server's neighbours (SSRF): every address a host name resolves to must be a
public one, checked again on every redirect, and the connection goes to the address that was
checked (so DNS cannot answer differently in between). Loopback, private, link-local (the
cloud metadata service at 169.254.169.254 is one) and every other non-global address is
refused unless the operator allows the private network. The whole fetch, redirects and body
included, has one deadline. Failures before an HTTP answer all read the same ("no HTTP
answer"), so the importer cannot be used to tell open ports from closed ones.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import threading
import time
import urllib.request
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

from leads.articles.importer import ArticleImportError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class HTTPStatusError(ArticleImportError):
    """The server answered with an error status (or 304); callers that care read `status`."""

    def __init__(self, message: str, status: int, headers=None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers


class RefusedAddress(OSError):
    """The host resolves to an address the policy refuses (raised before any connection)."""


def is_public(ip: IPAddress) -> bool:
    """Globally routable unicast: not loopback, private, link-local, shared, reserved or multicast."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


@dataclass
class Fetch:
    """One fetch: its address policy, its deadline, and the sockets to cut when that passes."""

    deadline: float
    allow_private_network: bool = False
    # Exact addresses allowed besides public ones (the tests' local server).
    extra_allowed: Collection[str] = ()
    sockets: list[socket.socket] = field(default_factory=list)
    expired: bool = False

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left

    def allows(self, ip: IPAddress) -> bool:
        return self.allow_private_network or is_public(ip) or str(ip) in self.extra_allowed

    def connect(self, host: str, port: int) -> socket.socket:
        """A socket connected to an allowed address of `host`; every address must be allowed."""
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
        if not all(self.allows(ip) for ip in addresses):
            raise RefusedAddress(host)
        last_error: OSError | None = None
        for family, kind, proto, _name, sockaddr in infos:
            sock = socket.socket(family, kind, proto)
            self.sockets.append(sock)
            try:
                sock.settimeout(self.remaining())
                sock.connect(sockaddr)
                return sock
            except OSError as error:
                sock.close()
                last_error = error
        raise last_error or OSError("no address")

    def cut(self) -> None:
        """At the deadline: stop every socket, so a server that answers a byte at a time stops too."""
        self.expired = True
        for sock in self.sockets:
            with contextlib.suppress(OSError):  # already closed: nothing to stop
                sock.shutdown(socket.SHUT_RDWR)


def _connection_class(base: type[http.client.HTTPConnection], fetch: Fetch) -> Callable:
    class Guarded(base):
        def connect(self) -> None:
            sock = fetch.connect(self.host, self.port)
            if isinstance(self, http.client.HTTPSConnection):
                # Certificate and SNI for the name, connection to the checked address.
                sock = self._context.wrap_socket(sock, server_hostname=self.host)
                fetch.sockets.append(sock)
            self.sock = sock

    return Guarded


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, fetch: Fetch) -> None:
        super().__init__()
        self.fetch = fetch

    def http_open(self, req):
        return self.do_open(_connection_class(http.client.HTTPConnection, self.fetch), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, fetch: Fetch) -> None:
        super().__init__()
        self.fetch = fetch

    def https_open(self, req):
        return self.do_open(
            _connection_class(http.client.HTTPSConnection, self.fetch), req, context=self._context
        )


def _opener(fetch: Fetch, follow_redirects: bool = True) -> urllib.request.OpenerDirector:
    # Only http(s): no file://, ftp:// or data: URLs, not even through a redirect; and no proxy
    # from the environment, which would connect somewhere the address check never saw.
    opener = urllib.request.OpenerDirector()
    handlers = [
        _HTTPHandler(fetch),
        _HTTPSHandler(fetch),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ]
    if follow_redirects:
        handlers.append(urllib.request.HTTPRedirectHandler())
    for handler in handlers:
        opener.add_handler(handler)
    return opener


def public_host(host: str, port: int | None = None) -> bool | None:
    """Whether every address `host` resolves to is public; None when it does not resolve."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None
    return all(is_public(ipaddress.ip_address(info[4][0].split("%")[0])) for info in infos)


def post_url(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    allow_private_network: bool = False,
) -> int:
    """POST `body` under the same address rules and one deadline; redirects are not followed.

    The status of a 2xx answer; otherwise HTTPError (a 3xx too), RefusedAddress (raised before
    any connection), or another OSError / http.client.HTTPException.
    """
    fetch = Fetch(time.monotonic() + timeout, allow_private_network)
    timer = threading.Timer(timeout, fetch.cut)
    timer.daemon = True
    timer.start()
    request = urllib.request.Request(  # noqa: S310  (the opener has http(s) handlers only)
        url, data=body, method="POST", headers=headers
    )
    try:
        with _opener(fetch, follow_redirects=False).open(request, timeout=timeout) as response:
            response.read(1024)
            status = response.status
        if fetch.expired:
            raise TimeoutError
        return status
    except HTTPError:
        raise
    except URLError as error:
        # urllib wraps the connection's OSError (RefusedAddress among them): hand back the cause.
        reason = error.reason
        raise (reason if isinstance(reason, OSError) else OSError(str(reason))) from None
    finally:
        timer.cancel()


def fetch_url(
    url: str,
    read: Callable[[http.client.HTTPResponse], bytes],
    *,
    timeout: float,
    allow_private_network: bool = False,
    extra_allowed: Collection[str] = (),
    headers: dict[str, str] | None = None,
) -> bytes:
    """`read(response)` for the URL's final answer; any failure is an ArticleImportError, one line."""
    fetch = Fetch(time.monotonic() + timeout, allow_private_network, extra_allowed)
    timer = threading.Timer(timeout, fetch.cut)
    timer.daemon = True
    timer.start()
    request = urllib.request.Request(  # noqa: S310  (the opener has http(s) handlers only)
        url,
        headers={
            "Accept": "application/json",
            "User-Agent": "clinic-leads-article-import",
            **(headers or {}),
        },
    )
    try:
        with _opener(fetch).open(request, timeout=timeout) as response:
            data = read(response)
        if fetch.expired:
            raise TimeoutError
        return data
    except HTTPError as error:
        error.close()
        raise HTTPStatusError(
            f"{url} answered HTTP {error.code} {error.reason}", error.code, error.headers
        ) from None
    except (URLError, OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", error)
        raise ArticleImportError(_failure(url, reason, fetch, timeout)) from None
    finally:
        timer.cancel()


def _failure(url: str, reason: object, fetch: Fetch, timeout: float) -> str:
    if isinstance(reason, RefusedAddress):
        return (
            f"Refused {url}: {urlsplit(url).hostname} (or a redirect) is on a private, loopback or "
            "link-local network; pass --allow-private-network if that is intended"
        )
    if fetch.expired or isinstance(reason, TimeoutError):
        return f"Cannot fetch {url}: no complete answer within {timeout:g} seconds"
    if isinstance(reason, socket.gaierror):
        return f"Cannot fetch {url}: the host name does not resolve"
    # Refused, reset or not HTTP at all: one answer, so the import is no port scanner.
    return f"Cannot fetch {url}: no HTTP answer"
