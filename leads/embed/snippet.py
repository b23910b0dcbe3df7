"""The copy-paste HTML that puts an article's form on a WordPress page."""

from __future__ import annotations

from urllib.parse import quote

from flask import current_app, request
from markupsafe import escape

from leads.models import Article


def base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"] or request.host_url.rstrip("/")


def embed_snippet(article: Article) -> str:
    base = escape(base_url())
    slug = escape(quote(article.slug))
    return (
        f'<iframe data-clinic-embed src="{base}/embed/{slug}/" title="Ask about {escape(article.title)}"'
        ' width="100%" height="900" loading="lazy"></iframe>\n'
        f'<script src="{base}/static/js/embed.js" async></script>'
    )
