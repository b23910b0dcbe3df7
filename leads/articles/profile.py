"""Which condition profile an article's questionnaire uses, and why.

An admin's choice on the article's dashboard page wins (it is a reviewed correction,
kept through re-imports until reset); else the profile the WordPress category or tag
maps to (setting ARTICLE_PROFILE_TERMS, read at import); else the generic profile.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from leads.models import Article
from leads.questionnaire import conditions

ADMIN, WORDPRESS, DEFAULT = "admin", "wordpress", "default"
_KINDS = {"category": "categories", "tag": "tags"}


def post_terms(payload: Mapping) -> list[str]:
    """The post's categories and tags as `category:<slug>`, `tag:<slug>`, `category:<id>`, `tag:<id>`.

    Slugs come from WordPress's `class_list` (`category-sciatica`), ids from `categories`/`tags`.
    """
    terms: list[str] = []
    classes = payload.get("class_list")
    for value in classes.values() if isinstance(classes, Mapping) else classes or []:
        for kind in _KINDS:
            if isinstance(value, str) and value.startswith(f"{kind}-") and len(value) > len(kind) + 1:
                terms.append(f"{kind}:{value[len(kind) + 1 :].lower()}")
    for kind, field in _KINDS.items():
        ids = payload.get(field)
        for term_id in ids if isinstance(ids, list) else []:
            if isinstance(term_id, int) and not isinstance(term_id, bool):
                terms.append(f"{kind}:{term_id}")
    return list(dict.fromkeys(terms))


def profile_for_terms(terms: Iterable[str], mapping: Mapping[str, str]) -> str | None:
    """The profile of the first of the post's terms that the mapping names."""
    return next((mapping[term] for term in terms if term in mapping), None)


def article_profile(article: Article) -> str:
    return resolve(article)[0]


def resolve(article: Article) -> tuple[str, str]:
    """(profile key, where it came from: ADMIN, WORDPRESS or DEFAULT)."""
    if conditions.get(article.admin_profile):
        return article.admin_profile, ADMIN
    if conditions.get(article.wp_profile):
        return article.wp_profile, WORDPRESS
    return conditions.GENERIC, DEFAULT


def condition_of(article: object) -> conditions.Profile:
    """The article's profile, for pages that word things per condition (a template global)."""
    return conditions.get(article_profile(article) if isinstance(article, Article) else conditions.GENERIC)
