"""The article page with a fresh form, rendered once per article version; each GET only fills in
its own values.

Rendering the page (Jinja, and WTForms drawing every field) was most of an article GET, yet
only the hidden values differ between two visitors: the CSRF token, the one-time submission id,
and the campaign tags, referrer and landing page. The page is rendered once with a marker in
each of those values, cut at the markers, and each GET joins the pieces with its own values,
escaped exactly as WTForms escapes them, so the bytes are those a full render would give.

On PostgreSQL every write to `articles` is announced to every process (leads/articles/changes.py),
so a GET serves its copy without a query. Otherwise (SQLite, or the listener down) a GET checks
its copy with one small autocommit query (no transaction, so no BEGIN or ROLLBACK): the rows of
the article and of its linked translations, by slug and WordPress id; any change to one of them
(an edit, a re-import, an unpublished article, a new translation) changes that answer. Either
way an edit shows at once in every process. Settings and templates change with a restart, which
empties the cache. Pages with errors or a notice (a POST sent back) are still rendered whole
(leads/articles/routes.py).
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections import OrderedDict
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, render_template, request
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from leads.articles import changes
from leads.articles.changes import Feed
from leads.articles.page_parts import page_parts
from leads.extensions import db
from leads.inquiries.forms import UTM_FIELDS, build_form
from leads.models import Article

# A few dozen articles at most; the bound keeps a long-running worker from growing.
MAX_PAGES = 64
TRACKING_FIELDS = (*UTM_FIELDS, "referrer", "landing_page")
CSRF_SLOT = "csrf_token"
SUBMISSION_SLOT = "submission_id"

_articles = Article.__table__
# The rows whose change must re-render the page: the article and the posts it links as translations.
_VERSION_QUERY = (
    sa.select(
        _articles.c.id,
        _articles.c.slug,
        _articles.c.language,
        _articles.c.updated_at,
        _articles.c.unpublished_at,
    )
    .where(
        sa.or_(
            _articles.c.slug == sa.bindparam("slug"),
            _articles.c.wp_id.in_(sa.bindparam("wp_ids", expanding=True)),
        )
    )
    .order_by(_articles.c.id)
)

Version = tuple[tuple, ...]


def _field_value(value: str | None) -> str:
    """A hidden field's value as WTForms writes it in the `value` attribute (widgets.html_params:
    `escape(v).replace('"', "&quot;")`, where the replace finds nothing: escape leaves no `"`)."""
    return str(escape(value)) if value else ""


@dataclass(frozen=True)
class PageTemplate:
    """The rendered page cut at its per-request values: text, slot name, text, slot name, ..., text."""

    pieces: tuple[str, ...]

    @property
    def slots(self) -> frozenset[str]:
        return frozenset(self.pieces[1::2])

    def fill(self, tracking: dict[str, str | None]) -> str:
        """The page for this request: a new submission id, this session's CSRF token, its tracking."""
        values = {**tracking, SUBMISSION_SLOT: uuid.uuid4().hex}
        if CSRF_SLOT in self.slots:
            values[CSRF_SLOT] = generate_csrf()
        out = list(self.pieces)
        for index in range(1, len(out), 2):
            out[index] = _field_value(values.get(out[index]))
        return "".join(out)


@dataclass(frozen=True)
class CachedPage:
    version: Version
    wp_ids: tuple[int, ...]
    page: PageTemplate


def _cache() -> OrderedDict:
    return current_app.extensions.setdefault("article_pages", OrderedDict())


def _key(slug: str) -> tuple[str, str]:
    # The form's action and the static links start with the script root.
    return (slug, request.script_root)


def _current_version(slug: str, wp_ids: tuple[int, ...]) -> Version:
    engine = db.engine.execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        rows = conn.execute(_VERSION_QUERY, {"slug": slug, "wp_ids": list(wp_ids)})
        return tuple(tuple(row) for row in rows)


def _version_of(article: Article) -> Version:
    """What _current_version answers for the article as loaded now, with its linked posts."""
    rows = {article.id: article}
    if wp_ids := _linked_wp_ids(article):
        rows.update(
            (other.id, other)
            for other in db.session.scalars(sa.select(Article).where(Article.wp_id.in_(wp_ids)))
        )
    return tuple(
        (row.id, row.slug, row.language, row.updated_at, row.unpublished_at)
        for _id, row in sorted(rows.items())
    )


def _linked_wp_ids(article: Article) -> tuple[int, ...]:
    return tuple(sorted(set((article.translations or {}).values())))


def cached_page(slug: str) -> PageTemplate | None:
    """The page of a published article as last rendered, if nothing it shows has changed since."""
    cache = _cache()
    feed = changes.look()
    if feed is Feed.CHANGED:
        cache.clear()
    key = _key(slug)
    entry = cache.get(key)
    if entry is None:
        return None
    # Not listening (SQLite, or PostgreSQL away): the page's rows say whether it is current.
    if feed is Feed.BLIND and _current_version(slug, entry.wp_ids) != entry.version:
        return None
    cache.move_to_end(key)
    return entry.page


def _slot_marker(nonce: str, name: str) -> str:
    return f"{nonce}{name}{nonce}"


def _render_template(article: Article) -> PageTemplate | None:
    """The page rendered with a marker in each per-request value, cut at the markers.

    None if a value is not where a marker can be found (a template that changed it), so the
    caller renders the page whole.
    """
    nonce = "slot" + secrets.token_hex(8)
    marker = {name: _slot_marker(nonce, name) for name in (*TRACKING_FIELDS, SUBMISSION_SLOT, CSRF_SLOT)}
    form = build_form(article.symptoms, initial={name: marker[name] for name in TRACKING_FIELDS})
    form.submission_id.data = marker[SUBMISSION_SLOT]
    if CSRF_SLOT in form:
        form[CSRF_SLOT].current_token = marker[CSRF_SLOT]
    html = render_template(
        "articles/show.html", article=article, form=form, notice=None, parts=page_parts(article)
    )
    pieces = tuple(re.split(f"{nonce}([a-z_]+){nonce}", html))
    expected = {SUBMISSION_SLOT, CSRF_SLOT} if CSRF_SLOT in form else {SUBMISSION_SLOT}
    if not expected <= set(pieces[1::2]) or any(nonce in text for text in pieces[::2]):
        return None
    return PageTemplate(pieces)


def remember_page(article: Article) -> PageTemplate | None:
    """Render the page of this article (loaded by article_or_404) and keep it for the next GETs."""
    version = _version_of(article)
    page = _render_template(article)
    if page is None:
        return None
    cache = _cache()
    cache[_key(article.slug)] = CachedPage(version=version, wp_ids=_linked_wp_ids(article), page=page)
    cache.move_to_end(_key(article.slug))
    while len(cache) > MAX_PAGES:
        cache.popitem(last=False)
    return page
