"""The article page's parts that do not change between requests, rendered once per article version.

The article (title, table of contents, body, disclaimer) and the page's meta tags depend only on
the stored article, the settings and the templates; rendering them was about half of an article
GET. They are kept per app process, keyed on the article's id and `updated_at` (every change to
the row moves it), so an edited or re-imported article shows at once; a settings or template
change comes with a restart, which empties the cache. Only the form is rendered per request.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from flask import current_app, render_template
from markupsafe import Markup

from leads.articles import seo
from leads.articles.translations import alternates
from leads.models import Article

# A few dozen articles at most; the bound keeps a long-running worker from growing.
MAX_ARTICLES = 64


@dataclass(frozen=True)
class PageParts:
    meta: Markup
    article: Markup


def _cache() -> OrderedDict:
    return current_app.extensions.setdefault("article_page_parts", OrderedDict())


def page_parts(article: Article) -> PageParts:
    """The article's rendered meta tags and article element, from the cache or rendered now."""
    cache = _cache()
    others = alternates(article)
    # The other-language versions are linked from the page: a change to one of them moves the key too.
    key = (article.id, article.updated_at, tuple((other.id, other.updated_at) for other in others))
    parts = cache.get(key)
    if parts is None:
        url = seo.canonical_url(article)
        linked = [(other, seo.canonical_url(other)) for other in others]
        parts = PageParts(
            meta=Markup(  # noqa: S704  (an autoescaping template's output)
                render_template(
                    "articles/_meta.html",
                    description=seo.description(article),
                    canonical_url=url,
                    open_graph=seo.open_graph(article, url),
                    json_ld=seo.json_ld(article, url),
                    alternates=linked,
                )
            ),
            article=Markup(  # noqa: S704
                render_template("articles/_article.html", article=article, alternates=linked)
            ),
        )
        cache[key] = parts
        while len(cache) > MAX_ARTICLES:
            cache.popitem(last=False)
    else:
        cache.move_to_end(key)
    return parts
