"""What search engines and link previews read: canonical URL, description, Open Graph, JSON-LD.

Built from the stored article only; the template renders the JSON-LD with `|tojson`, which
escapes `<`, `>` and `&`, so no article text can close the script element.
"""

from __future__ import annotations

from flask import current_app, url_for

from leads.links import base_url
from leads.models import Article

DESCRIPTION_MAX = 160


def canonical_url(article: Article) -> str:
    """The absolute URL of the article page, on PUBLIC_BASE_URL (never the request's Host header)."""
    return f"{base_url()}{url_for('articles.show', slug=article.slug)}"


def description(article: Article, limit: int = DESCRIPTION_MAX) -> str:
    """The excerpt as one line, cut at a word boundary to fit a search result."""
    text = " ".join((article.excerpt or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.")
    return f"{cut}…"


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def json_ld(article: Article, url: str) -> dict:
    """One JSON-LD graph: the page as a MedicalWebPage, and its FAQ as an FAQPage."""
    page: dict = {
        "@type": "MedicalWebPage",
        "@id": f"{url}#webpage",
        "url": url,
        "name": article.title,
        "headline": article.title,
        "description": description(article),
        "inLanguage": article.language,
        "publisher": {"@type": "MedicalOrganization", "name": current_app.config["CLINIC_NAME"]},
        "datePublished": _iso(article.published_at),
        "dateModified": _iso(article.wp_modified_at),
    }
    graph = [{key: value for key, value in page.items() if value}]
    if article.faqs:
        graph.append(
            {
                "@type": "FAQPage",
                "@id": f"{url}#faq",
                "url": url,
                "isPartOf": {"@id": f"{url}#webpage"},
                "mainEntity": [
                    {
                        "@type": "Question",
                        "name": faq["question"],
                        "acceptedAnswer": {"@type": "Answer", "text": faq["answer"]},
                    }
                    for faq in article.faqs
                ],
            }
        )
    return {"@context": "https://schema.org", "@graph": graph}


def open_graph(article: Article, url: str) -> dict[str, str]:
    """Open Graph properties for link previews."""
    tags = {
        "og:type": "article",
        "og:title": article.title,
        "og:description": description(article),
        "og:url": url,
        "og:site_name": current_app.config["CLINIC_NAME"],
        "og:locale": (article.language or "en").replace("-", "_"),
    }
    if article.published_at:
        tags["article:published_time"] = article.published_at.isoformat()
    if article.wp_modified_at:
        tags["article:modified_time"] = article.wp_modified_at.isoformat()
    return tags
