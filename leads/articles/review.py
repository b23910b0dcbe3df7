"""An admin's review of an article: its symptom list and its condition profile. Audited; commits."""

from __future__ import annotations

from dataclasses import dataclass

from leads.articles.profile import resolve
from leads.audit.service import AuditAction, record_audit
from leads.extensions import db
from leads.models import Article
from leads.models.base import utcnow
from leads.questionnaire import conditions

MAX_SYMPTOMS = 30
MAX_SYMPTOM_LENGTH = 200


class ReviewError(ValueError):
    """A correction that cannot be saved; the message is for the admin."""


@dataclass(frozen=True)
class ArticleRow:
    article: Article
    profile: conditions.Profile
    profile_source: str


def article_rows() -> list[ArticleRow]:
    """Every article with its profile and where it came from; articles without symptoms first."""
    articles = db.session.scalars(db.select(Article).order_by(Article.title, Article.id)).all()
    rows = []
    for article in articles:
        key, source = resolve(article)
        rows.append(ArticleRow(article, conditions.get(key), source))
    return sorted(rows, key=lambda row: bool(row.article.symptoms))


def parse_symptoms(text: str) -> list[str]:
    """One symptom a line; blank lines and repeats dropped."""
    labels = list(dict.fromkeys(" ".join(line.split()) for line in (text or "").splitlines()))
    labels = [label for label in labels if label]
    if len(labels) > MAX_SYMPTOMS:
        raise ReviewError(f"Please list at most {MAX_SYMPTOMS} symptoms.")
    if any(len(label) > MAX_SYMPTOM_LENGTH for label in labels):
        raise ReviewError(f"Please keep each symptom under {MAX_SYMPTOM_LENGTH} characters.")
    return labels


def correct_symptoms(article: Article, labels: list[str], actor) -> None:
    """The admin's list replaces the import's, and re-imports keep it until it is reset."""
    before = list(article.symptoms or [])
    article.symptoms = labels
    article.symptoms_corrected_at = utcnow()
    record_audit(
        AuditAction.ARTICLE_SYMPTOMS_CORRECTED,
        "article",
        article.id,
        actor=actor,
        before=before,
        after=labels,
    )
    db.session.commit()


def reset_symptoms(article: Article, actor) -> None:
    """Back to the list the last import found; later imports set it again."""
    before = list(article.symptoms or [])
    article.symptoms = list(article.found_symptoms or [])
    article.symptoms_corrected_at = None
    record_audit(
        AuditAction.ARTICLE_SYMPTOMS_RESET,
        "article",
        article.id,
        actor=actor,
        before=before,
        after=article.symptoms,
    )
    db.session.commit()


def choose_profile(article: Article, key: str | None, actor) -> None:
    """An admin's profile for the article; None hands the choice back to WordPress (else generic)."""
    if key and conditions.get(key) is None:
        raise ReviewError("Please choose one of the profiles listed.")
    before = article.admin_profile
    article.admin_profile = key or None
    record_audit(
        AuditAction.ARTICLE_PROFILE_CHOSEN,
        "article",
        article.id,
        actor=actor,
        before=before,
        after=key or None,
    )
    db.session.commit()
