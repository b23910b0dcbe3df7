"""Inbound mail on the dashboard blueprint (its login guard covers them): attachments, the unmatched list."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import abort, render_template, send_file

from leads.auth.guards import admin_required
from leads.dashboard.routes import bp
from leads.extensions import db
from leads.models import InboundAttachment, InboundMessage


@bp.get("/inbound/attachments/<int:attachment_id>")
def inbound_attachment(attachment_id: int):
    """Always a download, never shown inline: a patient's file could be HTML or a script."""
    attachment = db.session.get(InboundAttachment, attachment_id) or abort(404)
    response = send_file(
        io.BytesIO(attachment.data),
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=attachment.filename,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/admin/unmatched")
@admin_required
def unmatched_mail():
    messages = db.session.scalars(
        sa.select(InboundMessage)
        .where(InboundMessage.lead_id.is_(None))
        .order_by(InboundMessage.received_at.desc())
        .limit(200)
    ).all()
    return render_template("inbound/unmatched.html", messages=messages)
