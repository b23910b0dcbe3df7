"""Old article addresses: a changed slug keeps answering, with a permanent redirect."""

from __future__ import annotations

from leads.extensions import db
from leads.models import Article, ArticleSlug


def record_slug_change(article: Article | None, new_slug: str) -> None:
    """Before `article` (None: a new one) takes `new_slug`: keep its current slug as an old address.

    Runs in the caller's transaction."""
    # The new current slug is nobody's old address any more.
    db.session.execute(db.delete(ArticleSlug).where(ArticleSlug.slug == new_slug))
    if article is None or article.slug == new_slug:
        return
    db.session.execute(db.delete(ArticleSlug).where(ArticleSlug.slug == article.slug))
    db.session.add(ArticleSlug(slug=article.slug, article_id=article.id))


def current_slug(old_slug: str) -> str | None:
    """The slug of the article that was at `old_slug`, or None."""
    return db.session.scalar(
        db.select(Article.slug)
        .join(ArticleSlug, ArticleSlug.article_id == Article.id)
        .where(ArticleSlug.slug == old_slug)
    )
