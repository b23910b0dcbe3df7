"""Import one WordPress REST API post (`/wp-json/wp/v2/posts/<id>`) as an Article.

Everything is validated, sanitized and extracted before the session is touched, and the
upsert commits once, so a bad post writes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup
from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from leads.articles.extract import extract
from leads.articles.profile import post_terms, profile_for_terms
from leads.articles.sanitize import sanitize_html
from leads.articles.slugs import record_slug_change
from leads.articles.translations import link_translations, translations_in
from leads.audit.service import AuditAction, record_audit
from leads.extensions import db
from leads.models import Article
from leads.questionnaire import conditions

MAX_TITLE = 300
MAX_SLUG = 200
MAX_URL = 500
# Characters a page address cannot hold (also refused before any lookup by address).
BAD_SLUG = re.compile(r"[\s/\\?#]|[\x00-\x1f\x7f]")
_LANGUAGE_IN_PATH = re.compile(r"^/([a-z]{2}(?:-[a-z]{2})?)/", re.IGNORECASE)
# WordPress ends auto-excerpts with "[…]" (or "[...]").
_MORE_MARKER = re.compile(r"\s*\[(?:…|\.\.\.)\]\s*$")


class ArticleImportError(Exception):
    """A post that cannot be imported; the message is one line, fit for the command line."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


@dataclass(frozen=True)
class Post:
    """The fields of a WordPress post we use, validated and decoded."""

    wp_id: int
    slug: str
    title: str
    content: str
    excerpt: str
    link: str
    language: str
    published_at: datetime | None
    modified_at: datetime | None
    # `category:<slug>`, `tag:<slug>`, `category:<id>`…: what ARTICLE_PROFILE_TERMS maps.
    terms: tuple[str, ...] = ()
    # {language: post id} of the post's other-language versions (Polylang's `translations`).
    translations: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class ImportResult:
    article: Article
    created: bool

    @property
    def symptoms_found(self) -> bool:
        return bool(self.article.found_symptoms)


def import_post(payload: object, profile: str | None = None) -> ImportResult:
    """Validate, sanitize and extract the post, then insert or update the Article with its wp_id.

    `profile`: the operator's choice of condition profile, kept unless an admin already chose one.
    """
    post = parse_post(payload)
    if profile is not None and conditions.get(profile) is None:
        raise ArticleImportError(
            f"Unknown profile {profile!r}; known: {', '.join(sorted(conditions.profiles()))}"
        )
    html = sanitize_html(post.content, post.link)
    if not BeautifulSoup(html, "html.parser").get_text().strip():
        raise ArticleImportError("Not importable: content.rendered has no text left after sanitizing")
    found = extract(html)
    fields = {
        "slug": post.slug,
        "language": post.language,
        "title": post.title,
        "excerpt": post.excerpt or _first_paragraph(html),
        "html": html,
        "toc": found.toc,
        "found_symptoms": found.symptoms,
        "faqs": found.faqs,
        "wp_profile": profile_for_terms(post.terms, current_app.config["ARTICLE_PROFILE_TERMS"]),
        "source_url": post.link,
        "published_at": post.published_at,
        "wp_modified_at": post.modified_at,
        # Served by the site again: shown again.
        "unpublished_at": None,
    }
    try:
        article = db.session.scalar(db.select(Article).filter_by(wp_id=post.wp_id))
        clash = db.session.scalar(db.select(Article).filter_by(slug=post.slug))
        if clash is not None and clash is not article:
            raise ArticleImportError(
                f"Slug {post.slug!r} is already used by WordPress post {clash.wp_id}; not imported"
            )
        record_slug_change(article, post.slug)
        created = article is None
        if created:
            article = Article(wp_id=post.wp_id)
            db.session.add(article)
        for name, value in fields.items():
            setattr(article, name, value)
        link_translations(article, dict(post.translations))
        if profile and article.admin_profile is None:
            article.admin_profile = profile
            db.session.flush()
            record_audit(
                AuditAction.ARTICLE_PROFILE_CHOSEN,
                "article",
                article.id,
                actor_email="flask articles import",
                before=None,
                after=profile,
            )
        # An admin's correction of the symptom list outlives re-imports until the admin resets it.
        if article.symptoms_corrected_at is None:
            article.symptoms = found.symptoms
        db.session.commit()
    except ArticleImportError:
        db.session.rollback()
        raise
    except SQLAlchemyError as error:
        db.session.rollback()
        raise ArticleImportError(f"Could not save the article: {type(error).__name__}") from error
    return ImportResult(article=article, created=created)


def parse_post(payload: object) -> Post:
    """Check the payload is a WordPress post and decode what we keep from it."""
    if not isinstance(payload, dict):
        raise ArticleImportError(f"Not a WordPress post: expected a JSON object, got {_kind(payload)}")
    wp_id = payload.get("id")
    if not isinstance(wp_id, int) or isinstance(wp_id, bool) or wp_id <= 0:
        raise ArticleImportError("Not a WordPress post: 'id' must be a positive integer")
    content = _rendered(payload, "content")
    if content is None or not content.strip():
        raise ArticleImportError("Not a WordPress post: 'content.rendered' is missing or empty")
    raw_title = _rendered(payload, "title")
    if raw_title is None:
        raise ArticleImportError("Not a WordPress post: 'title.rendered' is missing")
    title = plain_text(raw_title)
    if not title:
        raise ArticleImportError("Not importable: the title is empty")
    if len(title) > MAX_TITLE:
        raise ArticleImportError(f"Not importable: the title is longer than {MAX_TITLE} characters")
    link = _link(payload.get("link"))
    return Post(
        wp_id=wp_id,
        slug=_slug(payload.get("slug")),
        title=title,
        content=content,
        excerpt=excerpt_text(_rendered(payload, "excerpt") or ""),
        link=link,
        language=_language(payload, link),
        published_at=_gmt(payload, "date_gmt"),
        modified_at=_gmt(payload, "modified_gmt"),
        terms=tuple(post_terms(payload)),
        translations=tuple(translations_in(payload).items()),
    )


def plain_text(html: str) -> str:
    """Tags stripped, entities decoded (`&#8217;` becomes a right single quote), whitespace collapsed."""
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())


def excerpt_text(html: str) -> str:
    return _MORE_MARKER.sub("", plain_text(html))


def _first_paragraph(html: str, limit: int = 300) -> str:
    """A meta description when the post has no excerpt: the first paragraph, cut at a word."""
    first = BeautifulSoup(html, "html.parser").find("p")
    text = " ".join(first.get_text(" ").split()) if first else ""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def _rendered(payload: dict, key: str) -> str | None:
    value = payload.get(key)
    if isinstance(value, dict):
        value = value.get("rendered")
    return value if isinstance(value, str) else None


def _slug(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ArticleImportError("Not a WordPress post: 'slug' is missing")
    # WordPress percent-encodes non-ASCII slugs; the page URL uses the decoded form.
    slug = unquote(value.strip())
    if BAD_SLUG.search(slug) or len(slug) > MAX_SLUG:
        raise ArticleImportError(f"Not importable: the slug {value[:60]!r} cannot be a page address")
    return slug


def _link(value: object) -> str:
    if not isinstance(value, str):
        return ""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or len(value) > MAX_URL:
        return ""
    return value.strip()


def _language(payload: dict, link: str) -> str:
    """Polylang/WPML put `lang` on the post; otherwise the /ar/ or /en/ prefix of its link;
    else DEFAULT_LANGUAGE (the site's language for posts under no prefix)."""
    for key in ("lang", "language"):
        value = payload.get(key)
        if isinstance(value, str) and re.fullmatch(r"[A-Za-z]{2}(?:[-_][A-Za-z]{2})?", value):
            return value.lower()
    match = _LANGUAGE_IN_PATH.match(urlsplit(link).path)
    return match.group(1).lower() if match else current_app.config["DEFAULT_LANGUAGE"]


def _gmt(payload: dict, key: str) -> datetime | None:
    value = payload.get(key)
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise ArticleImportError(f"Not importable: {key!r} is not a date") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _kind(value: object) -> str:
    names = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}
    return "null" if value is None else names.get(type(value), type(value).__name__)
