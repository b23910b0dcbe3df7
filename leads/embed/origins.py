"""Which sites may frame the form (EMBED_ORIGINS), and which parent pages count as landing pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from leads.config import ConfigError


def origin_of(url: str | None) -> str | None:
    """`scheme://host[:port]` of an http(s) URL, lower-cased; None for anything else."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    suffix = f":{port}" if port and port != default else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{suffix}"


def parse_origins(raw: list[str], name: str = "EMBED_ORIGINS") -> list[str]:
    """EMBED_ORIGINS (or API_CORS_ORIGINS) as origins; a path, or not http(s), stops start-up."""
    origins = []
    for value in raw:
        origin = origin_of(value)
        if origin is None or value.rstrip("/").lower() != origin:
            raise ConfigError(f"{name} must be origins like https://www.example.com, got {value!r}")
        origins.append(origin)
    return origins


def frame_policy(origins: list[str]) -> str:
    """The page's CSP: the site's usual policy, with framing allowed to these origins only."""
    from leads.security import CONTENT_SECURITY_POLICY

    ancestors = " ".join(["'self'", *origins])
    return CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")


def parent_page(url: str | None, origins: list[str]) -> str | None:
    """The parent page's address when it is on an allowed origin; otherwise nothing is recorded."""
    return url.strip() if url and origin_of(url) in origins else None
