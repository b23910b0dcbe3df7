"""Sanitize a WordPress post body once, at import.

BeautifulSoup (stdlib html.parser) does the structural work: drop the ez-toc widget,
give every heading a stable id, turn links to the article's own anchors into `#anchor`,
mark external links. nh3 then applies the final whitelist, so whatever the structural
pass missed (or parsed differently) still cannot carry scripts, styles or handlers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

import nh3
from bs4 import BeautifulSoup, Tag

HEADINGS = ("h2", "h3", "h4", "h5", "h6")
EXTERNAL_REL = "noopener noreferrer"

# Removed with everything inside them before the whitelist runs.
DROP_WITH_CONTENT = (
    "script",
    "style",
    "svg",
    "math",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "form",
    "input",
    "button",
    "select",
    "textarea",
    "noscript",
    "template",
    "canvas",
    "audio",
    "video",
    "link",
    "meta",
    "head",
    "title",
)
ALLOWED_TAGS = {*HEADINGS, "p", "ul", "ol", "li", "strong", "em", "b", "i", "a", "br", "hr", "blockquote"}
ALLOWED_ATTRIBUTES = {**{h: {"id"} for h in HEADINGS}, "a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# The ids we keep as they are; anything else is re-slugified.
_SAFE_ID = re.compile(r"^[^\W\d][\w.:-]{0,99}$")
_LANG_PREFIX = re.compile(r"^/[a-z]{2}(?:-[a-z]{2})?(?=/)", re.IGNORECASE)
# Ids the page around the body uses (layout, table of contents, inquiry form and its hints and
# errors). A heading that took one would break the form's links and aria-describedby.
PAGE_IDS = re.compile(
    r"^(?:main|inquiry|inquiry-title|toc-title|article-title|error-summary-title|csrf_token"
    r"|submission_id|website|full_name|email|phone|preferred_contact|symptoms|message|consent"
    r"|utm_source|utm_medium|utm_campaign|utm_term|utm_content|referrer|landing_page)"
    r"(?:-\d+|-hint|-error)?$"
)

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=set(DROP_WITH_CONTENT) - {"link", "meta"},
    attributes=ALLOWED_ATTRIBUTES,
    # Only the value we set ourselves on external links survives.
    tag_attribute_values={"a": {"rel": {EXTERNAL_REL}}},
    link_rel=None,
    url_schemes=URL_SCHEMES,
    strip_comments=True,
)


def text_of(node: Tag) -> str:
    """Visible text with whitespace collapsed."""
    return " ".join(node.get_text(" ").split())


def slugify_id(text: str) -> str:
    """An anchor id in the ez-toc style (`Words_Joined_By_Underscores`), letters of any script kept."""
    slug = re.sub(r"\W+", "_", text).strip("_")[:80].strip("_")
    if not slug or not (slug[0].isalpha()):
        slug = f"section_{slug}" if slug else "section"
    return slug


def own_paths(link: str) -> tuple[str, set[str]]:
    """The host and the paths (with and without a language prefix like /en/) of the post's own URL."""
    parts = urlsplit(link or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "", set()
    path = parts.path.rstrip("/")
    paths = {path}
    if _LANG_PREFIX.match(path):
        paths.add(_LANG_PREFIX.sub("", path, count=1))
    return _bare_host(parts.hostname), paths


def _bare_host(host: str) -> str:
    host = host.lower()
    return host[4:] if host.startswith("www.") else host


def sanitize_html(html: str, link: str = "") -> str:
    """The post body reduced to safe, self-contained article markup."""
    soup = BeautifulSoup(html, "html.parser")
    for node in soup.find_all(DROP_WITH_CONTENT):
        node.decompose()
    _drop_toc_widget(soup)
    renamed = _assign_heading_ids(soup)
    _rewrite_links(soup, link, renamed)
    # Dropped blocks leave runs of blank lines behind.
    return re.sub(r"\n\s*\n+", "\n", _cleaner.clean(str(soup))).strip()


def _drop_toc_widget(soup: BeautifulSoup) -> None:
    for node in soup.select("#ez-toc-container, div.ez-toc-container"):
        node.decompose()
    # Inline SVG is gone already; the widget's leftovers elsewhere are its section markers.
    for node in soup.select("span.ez-toc-section-end"):
        node.decompose()


def _assign_heading_ids(soup: BeautifulSoup) -> dict[str, str]:
    """Give every h2-h6 a unique safe id; returns old id -> new id for the ids that changed."""
    for h1 in soup.find_all("h1"):
        h1.name = "h2"  # the page has its own <h1>: the article title
    renamed: dict[str, str] = {}
    used: set[str] = set()
    for heading in soup.find_all(HEADINGS):
        original = _heading_anchor(heading)
        wanted = (
            original if original and _SAFE_ID.match(original) else slugify_id(original or text_of(heading))
        )
        new_id = _unique(wanted, used)
        if original and original != new_id:
            renamed[original] = new_id
        heading.attrs = {"id": new_id}
    return renamed


def _heading_anchor(heading: Tag) -> str:
    """The heading's own id, or the one ez-toc put on a <span> inside it (then drop the span)."""
    found = heading.get("id") or ""
    for span in heading.select("span.ez-toc-section"):
        found = found or span.get("id") or ""
        span.decompose()
    return str(found).strip()


def _unique(wanted: str, used: set[str]) -> str:
    candidate, n = wanted, 2
    while candidate in used or PAGE_IDS.match(candidate):
        candidate, n = f"{wanted}_{n}", n + 1
    used.add(candidate)
    return candidate


def _rewrite_links(soup: BeautifulSoup, link: str, renamed: dict[str, str]) -> None:
    host, paths = own_paths(link)
    for anchor in soup.find_all("a"):
        href = str(anchor.get("href") or "").strip()
        anchor.attrs = {k: v for k, v in anchor.attrs.items() if k in ("href", "title")}
        if not href:
            continue
        href = _with_scheme(href)
        anchor["href"] = href
        parts = urlsplit(href)
        if parts.fragment and _is_own_page(parts, host, paths):
            anchor["href"] = "#" + renamed.get(parts.fragment, parts.fragment)
        elif parts.scheme in ("http", "https") and _bare_host(parts.hostname or "") != host:
            anchor["rel"] = EXTERNAL_REL


def _with_scheme(href: str) -> str:
    """`//host/…` (and the `/\\host` or `\\\\host` spellings browsers read the same way) leads
    to another site: spelled out with https:, it is recognised and marked as external."""
    if re.match(r"^[/\\]{2}", href):
        return "https://" + href.replace("\\", "/").lstrip("/")
    return href


def _is_own_page(parts, host: str, paths: Iterable[str]) -> bool:
    if not parts.scheme and not parts.netloc and not parts.path:
        return True  # already "#anchor"
    if parts.scheme and parts.scheme not in ("http", "https"):
        return False
    if parts.netloc and _bare_host(parts.hostname or "") != host:
        return False
    return parts.path.rstrip("/") in paths
