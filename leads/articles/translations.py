"""The other-language versions of a post: WordPress multilingual plugins link them.

Polylang's REST fields give `"translations": {"en": 12622, "ar": 12630}` (language -> post id).
The links are stored on both articles at import, so the page finds its alternates with one
query by post id, whichever of the two was imported first.
"""

from __future__ import annotations

import re

from leads.extensions import db
from leads.models import Article

_CODE = re.compile(r"[A-Za-z]{2}(?:[-_][A-Za-z]{2})?")


def translations_in(payload: dict) -> dict[str, int]:
    """{language: WordPress post id} from the post's `translations` field; malformed entries dropped."""
    raw = payload.get("translations")
    if not isinstance(raw, dict):
        return {}
    return {
        code.lower().replace("_", "-"): post_id
        for code, post_id in raw.items()
        if isinstance(code, str) and _CODE.fullmatch(code) and isinstance(post_id, int) and post_id > 0
    }


def link_translations(article: Article, found: dict[str, int]) -> None:
    """Store the post's links, and the link back on each linked article already imported."""
    links = {code: wp_id for code, wp_id in found.items() if wp_id != article.wp_id}
    article.translations = links
    if not links:
        return
    for other in db.session.scalars(db.select(Article).where(Article.wp_id.in_(links.values()))):
        if (other.translations or {}).get(article.language) != article.wp_id:
            other.translations = {**(other.translations or {}), article.language: article.wp_id}


def alternates(article: Article) -> list[Article]:
    """The imported versions of this article in other languages, for the page's language links."""
    ids = [wp_id for wp_id in (article.translations or {}).values() if wp_id != article.wp_id]
    if not ids:
        return []
    rows = db.session.scalars(db.select(Article).where(Article.wp_id.in_(ids)).order_by(Article.language))
    return [other for other in rows if other.language != article.language]
