"""Read the WordPress REST API: pages of posts with their paging headers, conditional GETs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

from leads.articles.importer import ArticleImportError
from leads.articles.source import fetch


class SyncError(Exception):
    """The run cannot go on (a page failed, the site is unreachable); one line for the operator."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


@dataclass(frozen=True)
class SiteOptions:
    """Where and how to read the site; built from the settings (see leads/config.py)."""

    site_url: str
    categories: tuple[int, ...] = ()
    tags: tuple[int, ...] = ()
    per_page: int = 50
    timeout: float = 20.0
    max_bytes: int = 5 * 1024 * 1024
    allow_private_network: bool = False

    @classmethod
    def from_config(cls, config, site_url: str, **changes) -> SiteOptions:
        values = {
            "site_url": normalize_site_url(site_url),
            "categories": tuple(config["WP_SYNC_CATEGORIES"]),
            "tags": tuple(config["WP_SYNC_TAGS"]),
            "per_page": config["WP_SYNC_PER_PAGE"],
            "timeout": config["WP_SYNC_TIMEOUT_SECONDS"],
            "max_bytes": config["WP_SYNC_MAX_BYTES"],
            "allow_private_network": config["WP_SYNC_ALLOW_PRIVATE_NETWORK"],
        }
        return cls(**(values | changes))

    def filters(self) -> dict[str, str]:
        """WordPress ORs the ids within `categories` (or `tags`); both given means both must match."""
        params = {}
        if self.categories:
            params["categories"] = ",".join(map(str, self.categories))
        if self.tags:
            params["tags"] = ",".join(map(str, self.tags))
        return params

    def matches(self, post: dict) -> bool:
        """Whether a post (with its `categories` and `tags` lists) passes the filter."""
        for key, wanted in (("categories", self.categories), ("tags", self.tags)):
            if wanted and not set(wanted) & set(post.get(key) or []):
                return False
        return True


@dataclass
class Page:
    """One page of a listing; `items` is None when the site answered 304 (same as last time)."""

    url: str
    items: list | None
    total_pages: int | None
    validators: dict = field(default_factory=dict)


def normalize_site_url(site_url: str) -> str:
    """The site's base address: http(s), a host, no query or fragment, no trailing slash."""
    value = site_url.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise SyncError(f"Not a site address: {site_url!r} (give it as https://example.com)")
    return value


def posts_url(options: SiteOptions, params: dict[str, str | int], post_id: int | None = None) -> str:
    path = "/wp-json/wp/v2/posts" + (f"/{post_id}" if post_id else "")
    query = urlencode(params)
    return f"{options.site_url}{path}" + (f"?{query}" if query else "")


def get(url: str, options: SiteOptions, headers: dict[str, str] | None = None):
    """One bounded GET through the same rules as `articles import URL`; failures are SyncErrors."""
    try:
        return fetch(
            url,
            headers=headers,
            max_bytes=options.max_bytes,
            timeout=options.timeout,
            allow_private_network=options.allow_private_network,
        )
    except ArticleImportError as error:
        raise SyncError(str(error)) from error


def get_page(url: str, options: SiteOptions, cached: dict | None) -> Page:
    """A listing page, asked conditionally when the last complete run kept its validators."""
    headers = {}
    if cached and cached.get("etag"):
        headers["If-None-Match"] = cached["etag"]
    if cached and cached.get("last_modified"):
        headers["If-Modified-Since"] = cached["last_modified"]
    answer = get(url, options, headers)
    if answer.status == 304 and cached:
        return Page(url=url, items=None, total_pages=cached.get("total_pages"), validators=cached)
    items = parse_json(answer.body, url)
    if not isinstance(items, list):
        raise SyncError(f"{url} did not answer with a list of posts")
    total_pages = _header_int(answer.headers, "X-WP-TotalPages")
    validators = {
        "etag": answer.headers.get("ETag"),
        "last_modified": answer.headers.get("Last-Modified"),
        "total_pages": total_pages,
    }
    if not validators["etag"] and not validators["last_modified"]:
        validators = {}
    return Page(url=url, items=items, total_pages=total_pages, validators=validators)


def parse_json(raw: bytes, url: str) -> object:
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise SyncError(f"{url} did not answer with JSON") from None


def parse_gmt(value: object) -> datetime | None:
    """A `modified_gmt` as an aware UTC datetime, or None when it is missing or malformed."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _header_int(headers, name: str) -> int | None:
    value = (headers.get(name) or "").strip()
    return int(value) if value.isdigit() else None
