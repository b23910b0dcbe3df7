"""Routes of the articles area: the list and the article page with its inquiry form."""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request, url_for
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from leads.articles import seo
from leads.extensions import db
from leads.inquiries.forms import InquiryForm, build_form, tracking_from_request
from leads.models import Article

bp = Blueprint("articles", __name__)


def article_or_404(slug: str) -> Article:
    article = db.session.scalar(db.select(Article).where(Article.slug == slug))
    if article is None:
        raise NotFound()
    return article


def render_page(
    article: Article, form: InquiryForm, status: int = 200, notice: str | None = None
) -> Response:
    """The article page. Everything shown was stored at import: nothing is parsed here."""
    url = seo.canonical_url(article)
    html = render_template(
        "articles/show.html",
        article=article,
        form=form,
        notice=notice,
        canonical_url=url,
        description=seo.description(article),
        open_graph=seo.open_graph(article, url),
        json_ld=seo.json_ld(article, url),
    )
    response = make_response(html, status)
    # A re-rendered form holds what the patient typed: no cache may keep it.
    response.headers["Cache-Control"] = "private, no-cache" if status == 200 else "no-store"
    return response


@bp.get("/")
def index():
    articles = db.session.scalars(db.select(Article).order_by(Article.title)).all()
    if len(articles) == 1:
        return redirect(url_for("articles.show", slug=articles[0].slug), 302)
    return render_template("articles/index.html", articles=articles)


@bp.get("/<slug>/")
def show(slug: str):
    article = article_or_404(slug)
    tracking = tracking_from_request(request.args, request.referrer, request.url)
    return render_page(article, build_form(article.symptoms, initial=tracking))
