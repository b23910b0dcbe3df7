"""Load a WordPress post's JSON from a file or a public http(s) URL, bounded in size and time."""

from __future__ import annotations

import json
import os
from collections.abc import Collection
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit

from leads.articles.fetch import HTTPStatusError, fetch_url
from leads.articles.importer import ArticleImportError, parse_post

MAX_BYTES = 5 * 1024 * 1024
TIMEOUT_SECONDS = 10.0


def load_source(
    source: str,
    *,
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT_SECONDS,
    allow_private_network: bool = False,
    extra_allowed: Collection[str] = (),
) -> dict:
    """The post as a dict; any failure is an ArticleImportError with a one-line reason.

    A URL must lead to a public address (leads/articles/fetch.py) unless `allow_private_network`.
    """
    scheme = urlsplit(source).scheme.lower()
    if scheme in ("http", "https"):
        raw = _read_url(source, max_bytes, timeout, allow_private_network, extra_allowed)
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


def _read_url(
    url: str, max_bytes: int, timeout: float, allow_private_network: bool, extra_allowed: Collection[str]
) -> bytes:
    def read(response) -> bytes:
        length = response.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise ArticleImportError(
                f"{url} is too large ({_mb(int(length))}; the limit is {_mb(max_bytes)})"
            )
        return _bounded(response, max_bytes, url)

    return fetch_url(
        url, read, timeout=timeout, allow_private_network=allow_private_network, extra_allowed=extra_allowed
    )


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
    """GET `url` under the import's address rules, within `timeout` seconds in all and `max_bytes`.

    Any failure is an ArticleImportError; an error status is an HTTPStatusError (its `status`
    read by callers that care); 304 is an answer, not a failure (conditional requests).
    """
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise ArticleImportError(f"Unsupported address {url!r}: give an http(s) URL")
    answer: dict = {}

    def read(response) -> bytes:
        length = response.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise ArticleImportError(
                f"{url} is too large ({_mb(int(length))}; the limit is {_mb(max_bytes)})"
            )
        answer["status"], answer["headers"] = response.status, response.headers
        return _bounded(response, max_bytes, url)

    try:
        body = fetch_url(
            url, read, timeout=timeout, allow_private_network=allow_private_network, headers=headers
        )
    except HTTPStatusError as error:
        if error.status == 304:
            return Fetched(status=304, headers=error.headers, body=b"")
        raise
    return Fetched(status=answer["status"], headers=answer["headers"], body=body)


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
