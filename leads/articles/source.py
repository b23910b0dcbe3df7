"""Load a WordPress post's JSON from a file or an http(s) URL, bounded in size and time."""

from __future__ import annotations

import json
import os
import time
import urllib.request
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

from leads.articles.importer import ArticleImportError, parse_post

MAX_BYTES = 5 * 1024 * 1024
TIMEOUT_SECONDS = 10.0

# Only http(s): no file://, ftp:// or data: URLs, not even through a redirect.
_opener = urllib.request.OpenerDirector()
for _handler in (
    urllib.request.ProxyHandler(),
    urllib.request.HTTPHandler(),
    urllib.request.HTTPSHandler(),
    urllib.request.HTTPRedirectHandler(),
    urllib.request.HTTPDefaultErrorHandler(),
    urllib.request.HTTPErrorProcessor(),
):
    _opener.add_handler(_handler)


def load_source(source: str, *, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT_SECONDS) -> dict:
    """The post as a dict; any failure is an ArticleImportError with a one-line reason."""
    scheme = urlsplit(source).scheme.lower()
    if scheme in ("http", "https"):
        raw = _read_url(source, max_bytes, timeout)
    elif len(scheme) > 1:  # one letter is a Windows drive, not a scheme
        raise ArticleImportError(f"Unsupported address {source!r}: give a file path or an http(s) URL")
    else:
        raw = _read_file(Path(source), max_bytes)
    payload = _parse_json(raw, source)
    parse_post(payload)  # refuse a JSON document that is not a post, before anything else runs
    return payload


def _read_file(path: Path, max_bytes: int) -> bytes:
    try:
        if not path.is_file():
            reason = "is a directory, not a file" if path.is_dir() else "not found"
            raise ArticleImportError(f"File {str(path)!r} {reason}")
        with path.open("rb") as handle:
            # Check the size first, so a huge file is refused without being read.
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise ArticleImportError(
                    f"File {str(path)!r} is too large ({_mb(size)}; the limit is {_mb(max_bytes)})"
                )
            return _bounded(handle, max_bytes, repr(str(path)))
    except OSError as error:
        raise ArticleImportError(f"Cannot read {str(path)!r}: {error.strerror or error}") from None


def _read_url(url: str, max_bytes: int, timeout: float) -> bytes:
    # The opener has http(s) handlers only, so no file: or custom scheme can be opened.
    request = urllib.request.Request(  # noqa: S310
        url, headers={"Accept": "application/json", "User-Agent": "clinic-leads-article-import"}
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise ArticleImportError(
                    f"{url} is too large ({_mb(int(length))}; the limit is {_mb(max_bytes)})"
                )
            return _bounded(response, max_bytes, url)
    except HTTPError as error:
        error.close()
        raise ArticleImportError(f"{url} answered HTTP {error.code} {error.reason}") from None
    except URLError as error:
        raise ArticleImportError(f"Cannot reach {url}: {error.reason}") from None
    except TimeoutError:
        raise ArticleImportError(f"Cannot reach {url}: no answer within {timeout:g} seconds") from None
    except OSError as error:
        raise ArticleImportError(f"Cannot read {url}: {error}") from None


class HTTPStatusError(ArticleImportError):
    """The server answered with an error status; callers that care read `status`."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Fetched:
    """One http(s) answer: 200 with its body, or 304 (not modified) with none."""

    status: int
    headers: Message
    body: bytes


def fetch(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT_SECONDS,
    allow_private_network: bool = False,
) -> Fetched:
    """GET `url` within `timeout` seconds in all and `max_bytes`; any failure is an ArticleImportError.

    `allow_private_network` is for the address rules of `articles import URL` (loopback,
    private and metadata addresses refused unless allowed), which every fetch goes through.
    """
    del allow_private_network  # the address rules hook in here (issue 7 work on this module)
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise ArticleImportError(f"Unsupported address {url!r}: give an http(s) URL")
    request = urllib.request.Request(  # noqa: S310  (http(s) only, checked above and by the opener)
        url,
        headers={
            "Accept": "application/json",
            "User-Agent": "clinic-leads-article-import",
            **(headers or {}),
        },
    )
    deadline = time.monotonic() + timeout
    try:
        with _opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise ArticleImportError(
                    f"{url} is too large ({_mb(int(length))}; the limit is {_mb(max_bytes)})"
                )
            body = _read_before(response, max_bytes, deadline, url, timeout)
            return Fetched(status=response.status, headers=response.headers, body=body)
    except HTTPError as error:
        error.close()
        if error.code == 304:
            return Fetched(status=304, headers=error.headers, body=b"")
        raise HTTPStatusError(f"{url} answered HTTP {error.code} {error.reason}", error.code) from None
    except URLError as error:
        raise ArticleImportError(f"Cannot reach {url}: {error.reason}") from None
    except TimeoutError:
        raise ArticleImportError(f"Cannot reach {url}: no answer within {timeout:g} seconds") from None
    except OSError as error:
        raise ArticleImportError(f"Cannot read {url}: {error}") from None


def _read_before(stream, max_bytes: int, deadline: float, url: str, timeout: float) -> bytes:
    """The socket timeout bounds each read; the deadline bounds them all, so a trickle cannot hold on."""
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise ArticleImportError(f"Cannot read {url}: not complete within {timeout:g} seconds")
        chunk = stream.read1(64 * 1024) if hasattr(stream, "read1") else stream.read(64 * 1024)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise ArticleImportError(f"{url} is too large (more than {_mb(max_bytes)})")
        chunks.append(chunk)


def _bounded(stream, max_bytes: int, what: str) -> bytes:
    """Read at most one byte past the cap: enough to know it is too large, never the whole thing."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ArticleImportError(f"{what} is too large (more than {_mb(max_bytes)})")
    return data


def _parse_json(raw: bytes, source: str) -> object:
    if not raw.strip():
        raise ArticleImportError(f"Not JSON: {source} is empty")
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise ArticleImportError(f"Not JSON: {source} is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise ArticleImportError(
            f"Not JSON: {source} (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    except RecursionError:
        raise ArticleImportError(f"Not JSON: {source} is nested too deeply") from None


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
