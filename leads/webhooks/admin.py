"""Admin pages for webhooks: add an endpoint, see its secret and its delivery log, switch it off."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, StringField, URLField, ValidationError
from wtforms.validators import DataRequired, Length

from leads.articles.fetch import public_host
from leads.audit.service import AuditAction, record_audit
from leads.auth.forms import ActionForm
from leads.auth.guards import require_admin
from leads.extensions import db
from leads.inquiries.forms import MultiCheckboxField
from leads.models import WebhookDelivery, WebhookEndpoint
from leads.webhooks.events import EVENT_TYPES
from leads.webhooks.signing import new_secret

bp = Blueprint("webhooks", __name__, url_prefix="/dashboard/admin/webhooks")
bp.before_request(require_admin)
LOG_SIZE = 100


class EndpointForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Name the receiving tool."), Length(max=100)])
    url = URLField(
        "Address (https://…)", validators=[DataRequired("Give the address to POST to."), Length(max=500)]
    )
    events = MultiCheckboxField(
        "Events",
        choices=[SelectChoice(name, name) for name in EVENT_TYPES],
        validators=[DataRequired("Choose at least one event.")],
    )
    allow_health_details = BooleanField(
        "May receive health details (symptoms, answers, messages, contact details)"
    )

    def validate_url(self, field) -> None:
        parts = urlsplit(field.data or "")
        try:
            port = parts.port
        except ValueError:
            port = -1
        if parts.scheme not in ("http", "https") or not parts.hostname or port == -1:
            raise ValidationError("Give an http(s) address, like https://tool.example/hooks/clinic.")
        # A name that does not resolve yet passes: each delivery checks the addresses again.
        allowed = current_app.config["WEBHOOK_ALLOW_PRIVATE_NETWORK"]
        if not allowed and public_host(parts.hostname, port) is False:
            raise ValidationError(
                "This address is on a private, loopback or link-local network; "
                "webhooks go only to public addresses."
            )


@bp.after_request
def no_store(response):
    # Endpoint pages show the signing secret.
    response.headers["Cache-Control"] = "no-store"
    return response


def _index(form: EndpointForm, status: int = 200):
    endpoints = db.session.scalars(db.select(WebhookEndpoint).order_by(WebhookEndpoint.name)).all()
    return render_template("webhooks/index.html", endpoints=endpoints, form=form), status


@bp.get("/")
def index():
    return _index(EndpointForm())


@bp.post("/")
def create():
    form = EndpointForm()
    if not form.validate_on_submit():
        return _index(form, 400)
    endpoint = WebhookEndpoint(
        name=form.name.data.strip(),
        url=form.url.data.strip(),
        secret=new_secret(),
        events=list(form.events.data),
        allow_health_details=form.allow_health_details.data,
    )
    db.session.add(endpoint)
    db.session.flush()
    record_audit(
        AuditAction.WEBHOOK_CREATED,
        "webhook",
        endpoint.id,
        events=endpoint.events,
        health=endpoint.allow_health_details,
    )
    db.session.commit()
    return redirect(url_for("webhooks.show", endpoint_id=endpoint.id), 303)


@bp.get("/<int:endpoint_id>")
def show(endpoint_id: int):
    endpoint = db.session.get(WebhookEndpoint, endpoint_id) or abort(404)
    deliveries = db.session.scalars(
        db.select(WebhookDelivery)
        .filter_by(endpoint_id=endpoint.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(LOG_SIZE)
    ).all()
    return render_template(
        "webhooks/show.html", endpoint=endpoint, deliveries=deliveries, action_form=ActionForm()
    )


@bp.post("/<int:endpoint_id>/toggle")
def toggle(endpoint_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    endpoint = db.session.get(WebhookEndpoint, endpoint_id) or abort(404)
    endpoint.active = not endpoint.active
    record_audit(AuditAction.WEBHOOK_UPDATED, "webhook", endpoint.id, active=endpoint.active)
    db.session.commit()
    flash(f"“{endpoint.name}” is {'on' if endpoint.active else 'off'}.", "success")
    return redirect(url_for("webhooks.show", endpoint_id=endpoint.id), 303)
