"""Admin pages: review each article's symptom list and questionnaire profile (`/dashboard/admin/articles`)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from leads.articles import review
from leads.articles.admin_forms import ButtonForm, ProfileForm, SymptomsForm
from leads.articles.profile import resolve
from leads.auth.guards import require_admin
from leads.extensions import db
from leads.models import Article
from leads.questionnaire import conditions

bp = Blueprint("article_admin", __name__, url_prefix="/dashboard/admin/articles")
bp.before_request(require_admin)


def _article_or_404(article_id: int) -> Article:
    article = db.session.get(Article, article_id)
    if article is None:
        abort(404)
    return article


def _back(article_id: int):
    return redirect(url_for("article_admin.show", article_id=article_id, _anchor="flash"))


def _first_error(form) -> str:
    return next((errors[0] for errors in form.errors.values() if errors), "Please check the form.")


@bp.get("/")
def index():
    return render_template("articles/admin_index.html", rows=review.article_rows())


@bp.get("/<int:article_id>")
def show(article_id: int):
    article = _article_or_404(article_id)
    key, source = resolve(article)
    symptoms_form = SymptomsForm(symptoms="\n".join(article.symptoms or []))
    profile_form = ProfileForm(profile=article.admin_profile or "")
    return render_template(
        "articles/admin_article.html",
        article=article,
        profile=conditions.get(key),
        profile_source=source,
        wp_profile=conditions.get(article.wp_profile),
        symptoms_form=symptoms_form,
        profile_form=profile_form,
        button_form=ButtonForm(),
    )


@bp.post("/<int:article_id>/symptoms")
def correct_symptoms(article_id: int):
    article = _article_or_404(article_id)
    form = SymptomsForm()
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return _back(article_id)
    try:
        review.correct_symptoms(article, review.parse_symptoms(form.symptoms.data), current_user)
    except review.ReviewError as error:
        flash(str(error), "error")
    else:
        flash("Symptom list saved. Re-imports keep it until you reset it.", "success")
    return _back(article_id)


@bp.post("/<int:article_id>/symptoms/reset")
def reset_symptoms(article_id: int):
    article = _article_or_404(article_id)
    if not ButtonForm().validate_on_submit():
        flash("The form expired; please try again.", "error")
        return _back(article_id)
    review.reset_symptoms(article, current_user)
    flash("Symptom list reset to what the import found.", "success")
    return _back(article_id)


@bp.post("/<int:article_id>/profile")
def choose_profile(article_id: int):
    article = _article_or_404(article_id)
    form = ProfileForm()
    if not form.validate_on_submit():
        flash("Please choose one of the profiles listed.", "error")
        return _back(article_id)
    review.choose_profile(article, form.profile.data or None, current_user)
    flash("Questionnaire profile saved.", "success")
    return _back(article_id)
