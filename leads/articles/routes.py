"""Routes of the articles area: the list and the article page with its inquiry form."""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request, url_for
from werkzeug.exceptions import Gone, NotFound
from werkzeug.routing import RequestRedirect
from werkzeug.wrappers import Response

from leads.articles.importer import BAD_SLUG, MAX_SLUG
from leads.articles.page_cache import cached_page, remember_page
from leads.articles.page_parts import page_parts
from leads.articles.slugs import current_slug
from leads.extensions import db
from leads.i18n import use_language
from leads.inquiries.forms import InquiryForm, build_form, tracking_from_request
from leads.links import base_url
from leads.models import Article
from leads.ratelimit import unlimited

bp = Blueprint("articles", __name__)


def _storable(slug: str | None) -> bool:
    """Whether an import could have stored this slug; no other address is looked up."""
    # PostgreSQL refuses NUL in a query parameter, so `/%00/` must not reach the database.
    return bool(slug) and len(slug) <= MAX_SLUG and not BAD_SLUG.search(slug)


def find_article(slug: str | None) -> Article | None:
    """The article at `/<slug>/`, or None."""
    if not _storable(slug):
        return None
    return db.session.scalar(db.select(Article).where(Article.slug == slug))


def article_or_404(slug: str) -> Article:
    """The article at this address; a former slug answers with a permanent redirect, an article the
    site no longer publishes with 410."""
    article = find_article(slug)
    if article is None:
        moved = current_slug(slug) if _storable(slug) else None
        if moved is None:
            raise NotFound()
        raise RequestRedirect(_same_address_at(moved))
    if article.unpublished_at is not None:
        raise Gone()
    # The page, its form, its errors and its thanks page speak the article's language.
    use_language(article.language)
    return article


def _same_address_at(slug: str) -> str:
    """This request's address with the article's current slug: the page, its form post, its
    thanks page (308 keeps a POST a POST), with the query string (campaign tags) kept."""
    location = url_for(request.endpoint, **{**request.view_args, "slug": slug})
    if request.query_string:
        location += "?" + request.query_string.decode("latin-1")
    return location


def render_page(
    article: Article, form: InquiryForm, status: int = 200, notice: str | None = None
) -> Response:
    """The article page. Everything shown was stored at import: nothing is parsed here, and the
    article part is rendered once per article version (page_parts); only the form per request."""
    html = render_template(
        "articles/show.html", article=article, form=form, notice=notice, parts=page_parts(article)
    )
    return _page_response(html, status)


def _page_response(html: str, status: int = 200) -> Response:
    response = make_response(html, status)
    # A re-rendered form holds what the patient typed: no cache may keep it.
    response.headers["Cache-Control"] = "private, no-cache" if status == 200 else "no-store"
    return response


# Everything public may be crawled; the private pages say `noindex` themselves, which a
# crawler can only read on a page it is allowed to fetch.
ROBOTS_TXT = "User-agent: *\nAllow: /\n"


@bp.get("/robots.txt")
def robots_txt() -> Response:
    """Answered here, before `/<slug>/` takes it for an article that does not exist."""
    return Response(ROBOTS_TXT, mimetype="text/plain")


@bp.get("/")
def index():
    shown = db.select(Article).where(Article.unpublished_at.is_(None))
    articles = db.session.scalars(shown.order_by(Article.title)).all()
    if len(articles) == 1:
        return redirect(url_for("articles.show", slug=articles[0].slug), 302)
    return render_template("articles/index.html", articles=articles)


@bp.get("/<slug>/")
@unlimited
def show(slug: str):
    # The landing page on our own address: the Host header is the visitor's to forge.
    landing = base_url() + request.full_path.rstrip("?")
    tracking = tracking_from_request(request.args, request.referrer, landing)
    # The page as rendered for an earlier visitor, with this visitor's values (page_cache.py).
    page = cached_page(slug) if _storable(slug) else None
    if page is None:
        article = article_or_404(slug)
        page = remember_page(article)
        if page is None:  # a template the cache cannot cut: render it whole
            return render_page(article, build_form(article.symptoms, initial=tracking))
    return _page_response(page.fill(tracking))
