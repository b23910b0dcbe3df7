"""Articles imported from the clinic's WordPress site."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from leads.extensions import db
from leads.models.article_notify import install_change_trigger
from leads.models.base import UTCDateTime, utcnow
from leads.models.types import JSONType


class Article(db.Model):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    wp_id: Mapped[int] = mapped_column(unique=True)
    slug: Mapped[str] = mapped_column(sa.String(200), unique=True)
    language: Mapped[str] = mapped_column(sa.String(16), default="en")
    title: Mapped[str] = mapped_column(sa.String(300))
    # Plain text, entities decoded; used for the meta description.
    excerpt: Mapped[str] = mapped_column(sa.Text, default="")
    # Sanitized once at import; rendered as-is.
    html: Mapped[str] = mapped_column(sa.Text)
    # [{"id": anchor, "title": text, "level": 2|3}]
    toc: Mapped[list] = mapped_column(JSONType(), default=list)
    # The symptom list the questionnaire asks: the import's, or an admin's correction of it.
    symptoms: Mapped[list] = mapped_column(JSONType(), default=list)
    # What the last import found; `symptoms` follows it unless an admin corrected the list.
    found_symptoms: Mapped[list] = mapped_column(JSONType(), default=list)
    symptoms_corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Condition profile keys (leads/questionnaire/profiles/): mapped from the post's WordPress
    # category or tag at import, and an admin's choice, which wins (leads/articles/profile.py).
    wp_profile: Mapped[str | None] = mapped_column(sa.String(40))
    admin_profile: Mapped[str | None] = mapped_column(sa.String(40))
    # The post's versions in other languages, {language: WordPress post id} (articles/translations.py).
    translations: Mapped[dict] = mapped_column(JSONType(), default=dict, server_default="{}")
    # [{"question": text, "answer": text}]
    faqs: Mapped[list] = mapped_column(JSONType(), default=list)
    source_url: Mapped[str] = mapped_column(sa.String(500), default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    wp_modified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the site stopped serving the post: the page answers 410, its leads stay.
    unpublished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def treatment(self) -> str:
        """The article's title as patients see it in emails."""
        return self.title


class ArticleSlug(db.Model):
    """An address an article had before its slug changed: answered with a permanent redirect."""

    __tablename__ = "article_slugs"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(200), unique=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


install_change_trigger(Article.__table__)
