"""The questionnaire (`/q/<token>`) and unsubscribe (`/unsubscribe/<token>`) pages, reached from emails."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _

from leads.errors import render_error
from leads.extensions import csrf
from leads.i18n import use_language
from leads.questionnaire import service
from leads.questionnaire.forms import UnsubscribeForm, build_form_class
from leads.questionnaire.unsubscribe import lead_for_token, unsubscribe
from leads.tokens import TokenExpired, TokenInvalid

bp = Blueprint("questionnaire", __name__)


# Paths that carry a token. Matched on the path, not the blueprint, so the app's own error
# pages for them (405 for another method, 404 for a token with a slash) are covered too.
TOKEN_PATHS = ("/q/", "/unsubscribe/")


@bp.after_app_request
def private_page_headers(response: Response) -> Response:
    """The token in the URL must not leak through Referer, nor the page stay in a shared cache."""
    if not request.path.startswith(TOKEN_PATHS):
        return response
    # Set, not setdefault: leads.security's defaults only fill what is missing.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def link_problem(error: TokenInvalid):
    if isinstance(error, TokenExpired):
        return render_error(
            410,
            _("This link has expired"),
            _(
                "For your privacy, our links only work for a limited time. "
                "Please reply to our email or contact us, and we will send you a new one."
            ),
        )
    return render_error(
        404,
        _("This link is not valid"),
        _(
            "Please check that you opened the whole link from our email, or reply to that email and we will help."
        ),
    )


def already_answered(status: int):
    """The same page for everyone who opens the link later: no answers, no red-flag message."""
    return render_template("questionnaire/answered.html"), status


@bp.route("/q/<token>", methods=["GET", "POST"])
def questionnaire(token: str):
    try:
        inquiry = service.inquiry_for_token(token)
    except TokenInvalid as error:
        return link_problem(error)
    # The questionnaire speaks the language of the article the patient inquired from.
    use_language(inquiry.article.language if inquiry.article else None)
    existing = service.existing_response(inquiry.id)
    if existing is not None:
        return already_answered(409 if request.method == "POST" else 200)

    definition = service.questionnaire_for(inquiry)
    # Promises name the lead's stored way of contact, not what a (possibly spoofed) inquiry asked.
    form = build_form_class(definition)(data=service.initial_answers(definition, inquiry))
    if request.method == "POST":
        if form.validate():
            try:
                result = service.submit(inquiry, definition, form)
            except service.AlreadyAnswered:
                return already_answered(409)
            return render_template(
                "questionnaire/thanks.html",
                red_flags=bool(result.red_flags),
                urgent=definition.profile.wording(definition.language),
                contact=inquiry.lead.preferred_contact,
            )
        status = 422
        # A red flag must not wait for the rest of the answers: the patient may never finish.
        flags = service.answered_red_flags(definition, form)
        if flags:
            service.record_red_flags(inquiry, definition, flags)
    else:
        status, flags = 200, []
    return render_template(
        "questionnaire/form.html",
        form=form,
        questionnaire=definition,
        article=inquiry.article,
        red_flags=bool(flags),
        urgent=definition.profile.wording(definition.language),
        contact=inquiry.lead.preferred_contact,
    ), status


# The signed, purpose-bound, expiring token in the URL does the CSRF token's job (a forger
# cannot post without it), and a CSRF token that expired after some hours, or a lost session
# cookie, must not throw away a patient's answers (red flags included). The form has no CSRF
# field either (QuestionnaireForm.Meta).
csrf.exempt(questionnaire)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe_page(token: str):
    try:
        lead = lead_for_token(token)
    except TokenInvalid as error:
        return link_problem(error)
    use_language(lead.language)
    if request.method == "GET":
        # No side effect here: link scanners and previews open every link in an email.
        if lead.unsubscribed_at is not None:
            return render_template("unsubscribe/done.html", already=True)
        return render_template("unsubscribe/confirm.html", form=UnsubscribeForm())
    # The browser's button and a provider's one-click POST (`List-Unsubscribe=One-Click`) alike.
    newly = unsubscribe(lead.id)
    return render_template("unsubscribe/done.html", already=not newly)


# RFC 8058: a mail provider's one-click POST has no cookie and no CSRF token. The signed,
# purpose-bound token in the URL is the authority, so the view needs no CSRF check: a
# forger who has the token could send the one-click body anyway.
csrf.exempt(unsubscribe_page)
