"""The clinic's own addresses: the privacy notice, robots.txt and the favicon (never article slugs)."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, send_from_directory
from werkzeug.exceptions import NotFound

from leads.clinic.identity import clinic, privacy_paragraphs

bp = Blueprint("clinic", __name__)

# Crawlers may read the articles; nothing behind a login or a personal link is for them.
ROBOTS = """User-agent: *
Disallow: /dashboard/
Disallow: /login
Disallow: /account/
Disallow: /q/
Disallow: /unsubscribe/
"""


@bp.app_context_processor
def inject_clinic() -> dict:
    return {"clinic_info": clinic()}


@bp.get("/privacy/")
def privacy():
    paragraphs = privacy_paragraphs()
    if paragraphs is None:
        url = current_app.config["PRIVACY_NOTICE_URL"]
        if url:
            return redirect(url, 302)
        raise NotFound()
    return render_template("clinic/privacy.html", paragraphs=paragraphs)


@bp.get("/robots.txt")
def robots():
    return ROBOTS, 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon")
