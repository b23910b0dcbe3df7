"""`/embed/<slug>/`: the article's inquiry form alone, for an <iframe> on the clinic's pages.

Framing is allowed to EMBED_ORIGINS only (CSP frame-ancestors). The parent page is the
landing page: the frame's script asks the parent for its address (postMessage, origins
checked on both sides); without it, the Referer, when it is an allowed origin.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, current_app, make_response, redirect, render_template, request, url_for

from leads.articles.routes import article_or_404
from leads.embed.origins import frame_policy, parent_page
from leads.extensions import csrf
from leads.inquiries.forms import InquiryForm, build_form, tracking_from_request
from leads.inquiries.rate_limit import limit_submissions
from leads.inquiries.service import record_spam, submit_inquiry
from leads.inquiries.submission import inquiry_data
from leads.models import Article

bp = Blueprint("embed", __name__, url_prefix="/embed")


class EmbedForm(InquiryForm):
    """The page's form and validation, without the session-bound CSRF token (see `submit`)."""

    class Meta:
        csrf = False


@bp.after_request
def allow_framing(response: Response) -> Response:
    """Set before the app-wide headers, which only fill in what is missing."""
    response.headers["Content-Security-Policy"] = frame_policy(current_app.config["EMBED_ORIGINS"])
    return response


def render_form(article: Article, form: InquiryForm, status: int = 200) -> Response:
    response = make_response(
        render_template(
            "embed/form.html",
            article=article,
            form=form,
            notice=None,
            form_action=url_for("embed.submit", slug=article.slug),
            parent_origins=" ".join(current_app.config["EMBED_ORIGINS"]),
        ),
        status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<slug>/")
def form(slug: str):
    article = article_or_404(slug)
    initial = tracking_from_request(request.args, request.referrer, request.url)
    # Until the parent says its address, its origin (what Referrer-Policy lets through) will do.
    initial["landing_page"] = parent_page(request.referrer, current_app.config["EMBED_ORIGINS"])
    return render_form(article, build_form(article.symptoms, initial=initial, form_class=EmbedForm))


# A cross-site frame gets no session cookie (SameSite, third-party cookie blocking), so there is
# no session token to check; the form grants nothing a forged post could misuse, and the rate
# limits, the honeypot and the one-time submission id apply as on the article page.
@bp.post("/<slug>/")
@csrf.exempt
@limit_submissions
def submit(slug: str):
    article = article_or_404(slug)
    form = build_form(article.symptoms, formdata=request.form, form_class=EmbedForm)
    thanks = url_for("embed.thanks", slug=article.slug)
    if form.is_spam:
        record_spam(article, reason="honeypot")
        return redirect(thanks, 303)
    if not form.validate():
        return render_form(article, form, status=422)
    data = inquiry_data(form)
    data = replace(data, landing_page=parent_page(data.landing_page, current_app.config["EMBED_ORIGINS"]))
    # The same page for everyone (see inquiries.routes.submit).
    submit_inquiry(article, data)
    return redirect(thanks, 303)


@bp.get("/<slug>/thanks")
def thanks(slug: str):
    article = article_or_404(slug)
    return render_template(
        "embed/thanks.html",
        article=article,
        parent_origins=" ".join(current_app.config["EMBED_ORIGINS"]),
    )
