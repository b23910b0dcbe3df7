"""The strict CSP holds by construction: no template or static file needs inline code or a third party.

`leads/security.py` sends a Content-Security-Policy without 'unsafe-inline'; an inline
script, style or handler in a template would be blocked in the browser (and break the
page quietly), and a CDN or tracker would leak patients' visits. Email templates are
exempt from the inline-style rule: mail clients need inline styles.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from leads.config import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
STATIC = PROJECT_ROOT / "static"
EMAIL_HTML = TEMPLATES / "emails"

# Hosts a page may name in src/href: none but our own (relative URLs) and schema.org in JSON-LD.
ALLOWED_HOSTS = {"schema.org", "www.w3.org"}

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_TAG = re.compile(r"<style\b", re.IGNORECASE)
HANDLER_ATTR = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(r"javascript\s*:", re.IGNORECASE)
SRC_HREF_URL = re.compile(
    r"""\b(?:src|href|action|srcset|content)\s*=\s*["']?\s*(?:https?:)?//([^/"'\s>]+)""", re.IGNORECASE
)
ANY_URL = re.compile(r"""(?:https?:)?//([a-z0-9.-]+\.[a-z]{2,})(?=[/"'\s)>:]|$)""", re.IGNORECASE)


def _files(root: Path, suffixes: tuple[str, ...]) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in suffixes)


def _page_templates() -> list[Path]:
    return [
        p
        for p in _files(TEMPLATES, (".html", ".j2", ".jinja", ".xml", ".svg"))
        if EMAIL_HTML not in p.parents
    ]


def _rel(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT))


def _strip_jinja_comments(text: str) -> str:
    return re.sub(r"\{#.*?#\}", "", text, flags=re.DOTALL)


def scan_template(text: str) -> list[str]:
    """The reasons a page template would break the CSP or call a third party."""
    text = _strip_jinja_comments(text)
    problems = []
    for match in SCRIPT_TAG.finditer(text):
        attrs = match.group(1)
        if "src=" in attrs.replace(" ", "").lower():
            continue
        if re.search(r"""type\s*=\s*["']application/ld\+json["']""", attrs, re.IGNORECASE):
            continue
        problems.append(f"inline <script{attrs}>")
    if STYLE_ATTR.search(text):
        problems.append("style= attribute")
    if STYLE_TAG.search(text):
        problems.append("<style> block")
    for match in HANDLER_ATTR.finditer(text):
        problems.append(f"event handler attribute{match.group(0).rstrip('=')}")
    if JS_URL.search(text):
        problems.append("javascript: URL")
    for match in SRC_HREF_URL.finditer(text):
        host = match.group(1).lower()
        if "{{" in host or host in ALLOWED_HOSTS:
            continue  # a Jinja expression builds our own URL (url_for, PUBLIC_BASE_URL)
        problems.append(f"third-party URL to {host}")
    return problems


def test_the_scan_catches_each_kind_of_violation():
    # Guards the guard: each pattern must be seen, and the allowed forms must pass.
    bad = (
        '<script>alert(1)</script><p style="color:red"><style>p{}</style>'
        '<a onclick="x()" href="javascript:void(0)">x</a>'
        '<script src="https://cdn.example.com/x.js"></script><img src="//tracker.example/p.gif">'
    )
    problems = scan_template(bad)
    for expected in (
        "inline <script>",
        "style= attribute",
        "<style> block",
        "event handler attribute onclick",
        "javascript: URL",
        "third-party URL to cdn.example.com",
        "third-party URL to tracker.example",
    ):
        assert expected in problems, (expected, problems)
    good = (
        '<script type="application/ld+json">{"@context": "https://schema.org"}</script>'
        "<script src=\"{{ url_for('static', filename='js/site.js') }}\" defer></script>"
        '<link rel="canonical" href="{{ canonical_url }}"><a href="#faq">FAQ</a>'
        "{# a comment may say onclick= or style= #}"
    )
    assert scan_template(good) == []


def test_templates_exist():
    assert (TEMPLATES / "base.html").is_file()
    assert _page_templates(), "no page templates found"


@pytest.mark.parametrize("path", _page_templates(), ids=_rel)
def test_page_template_is_csp_clean(path: Path):
    assert scan_template(path.read_text(encoding="utf-8")) == [], _rel(path)


def _static_files() -> list[Path]:
    return _files(STATIC, (".css", ".js", ".svg", ".html", ".json", ".webmanifest"))


@pytest.mark.parametrize("path", _static_files(), ids=_rel)
def test_static_file_names_no_external_host(path: Path):
    text = path.read_text(encoding="utf-8", errors="replace")
    # SVG files name their XML namespace (www.w3.org); that is not a request.
    hosts = {m.group(1).lower() for m in ANY_URL.finditer(text)} - ALLOWED_HOSTS
    assert hosts == set(), f"{_rel(path)} names external hosts: {sorted(hosts)}"
    if path.suffix == ".css":
        assert "@import url(http" not in text.replace(" ", "").lower()
