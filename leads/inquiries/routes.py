"""Routes of the inquiries area: receive the form beside each article, then say thank you."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import RequestEntityTooLarge, TooManyRequests

from leads.articles.routes import article_or_404, find_article, render_page
from leads.errors import handle_csrf_error, render_error
from leads.i18n import use_language
from leads.inquiries.forms import build_form
from leads.inquiries.rate_limit import limit_submissions
from leads.inquiries.service import record_spam, submit_inquiry
from leads.inquiries.submission import inquiry_data
from leads.models import Article

bp = Blueprint("inquiries", __name__)


@bp.post("/<slug>/")
@limit_submissions
def submit(slug: str):
    article = article_or_404(slug)
    form = build_form(article.symptoms, formdata=request.form)
    thanks = url_for("inquiries.thanks", slug=article.slug)
    if form.is_spam:
        # Answered exactly like a success, so the bot learns nothing.
        record_spam(article, reason="honeypot")
        return redirect(thanks, 303)
    if not form.validate():
        return render_page(article, form, status=422)
    # The same page for everyone: whether this address had unsubscribed is said only in the
    # confirmation email, to the address's owner (anyone can post the form with any address).
    submit_inquiry(article, inquiry_data(form))
    return redirect(thanks, 303)


@bp.get("/<slug>/thanks")
def thanks(slug: str):
    article = article_or_404(slug)
    return render_template("inquiries/thanks.html", article=article)


def _submitted_article() -> Article | None:
    """The article of a failed form submission, if that is what failed."""
    if request.endpoint != "inquiries.submit" or not request.view_args:
        return None
    article = find_article(request.view_args.get("slug"))
    if article is not None:
        use_language(article.language)
    return article


@bp.errorhandler(CSRFError)
def csrf_failed(error: CSRFError):
    """A missing or expired token: the form again, with what was typed and a fresh token."""
    article = _submitted_article()
    if article is None:
        return handle_csrf_error(error)
    form = build_form(article.symptoms, formdata=request.form)
    notice = _(
        "This form has expired. For your security, forms expire after a while. "
        "We kept what you typed: please check it and send it again."
    )
    return render_page(article, form, status=400, notice=notice)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge):
    """The body was refused unread, so the form comes back empty, with the reason."""
    article = _submitted_article()
    if article is None:
        return render_error(413)
    notice = _(
        "What you sent is larger than we accept, so it was not saved. "
        "Please shorten your message and send the form again."
    )
    return render_page(article, build_form(article.symptoms), status=413, notice=notice)


@bp.errorhandler(TooManyRequests)
def too_many(error: TooManyRequests):
    """Over the rate limit: the form again, with what was typed, and a request to wait."""
    article = _submitted_article()
    if article is None:
        return render_error(429)
    notice = _(
        "Please wait a moment. We received several messages from you in a short time, "
        "so this one was not saved. We kept what you typed: please send it again in a minute."
    )
    return render_page(
        article, build_form(article.symptoms, formdata=request.form), status=429, notice=notice
    )
