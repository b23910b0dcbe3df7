"""The dashboard's WordPress page: the last sync of each site and its errors, and the embed snippets."""

from __future__ import annotations

from flask import Blueprint, render_template

from leads.auth.guards import require_login
from leads.embed.snippet import embed_snippet
from leads.extensions import db
from leads.models import Article
from leads.wordpress.state import latest

bp = Blueprint("wordpress", __name__, url_prefix="/dashboard/wordpress")
bp.before_request(require_login)


@bp.get("/")
def status():
    articles = db.session.scalars(db.select(Article).order_by(Article.title)).all()
    hidden = [article for article in articles if article.unpublished_at is not None]
    snippets = [(article, embed_snippet(article)) for article in articles if article.unpublished_at is None]
    return render_template("wordpress/status.html", syncs=latest(), hidden=hidden, snippets=snippets)
