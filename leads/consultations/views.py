"""Consultation routes on the dashboard blueprint (its login guard covers them): book, move, cancel, day view."""

from __future__ import annotations

from datetime import date, time, timedelta

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from leads.consultations import booking
from leads.consultations.forms import BookForm, RescheduleForm
from leads.dashboard import forms
from leads.dashboard.actions import ActionError
from leads.dashboard.next_steps import clinic_today, local_to_utc
from leads.dashboard.routes import bp
from leads.extensions import db
from leads.models import Consultation, Lead, User


def _back(lead_id: int):
    return redirect(url_for("dashboard.lead_page", lead_id=lead_id, _anchor="flash"), code=303)


def _run(lead_id: int, form, action, success: str):
    lead = db.session.get(Lead, lead_id) or abort(404)
    if not form.validate_on_submit():
        flash(forms.first_error(form), "error")
        return _back(lead_id)
    try:
        action(lead)
    except ActionError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        flash(success, "success")
    return _back(lead_id)


@bp.post("/leads/<int:lead_id>/consultations")
def book_consultation(lead_id: int):
    form = BookForm()
    return _run(
        lead_id,
        form,
        lambda lead: booking.book(
            lead,
            local_to_utc(form.day.data, form.at.data),
            form.minutes.data,
            form.place.data,
            form.coordinator.data,
            current_user,
        ),
        "Consultation booked; the invitation is on its way to the patient.",
    )


@bp.post("/leads/<int:lead_id>/consultations/<int:consultation_id>/move")
def move_consultation(lead_id: int, consultation_id: int):
    form = RescheduleForm()
    return _run(
        lead_id,
        form,
        lambda lead: booking.reschedule(
            lead, consultation_id, local_to_utc(form.day.data, form.at.data), form.minutes.data, current_user
        ),
        "Consultation moved; the patient gets the updated invitation.",
    )


@bp.post("/leads/<int:lead_id>/consultations/<int:consultation_id>/cancel")
def cancel_consultation(lead_id: int, consultation_id: int):
    form = forms.ConfirmForm()
    return _run(
        lead_id,
        form,
        lambda lead: booking.cancel(lead, consultation_id, current_user),
        "Consultation cancelled; the patient's calendar is told.",
    )


@bp.get("/consultations")
def consultations_day():
    """One day's consultations in clinic time (?day=YYYY-MM-DD, today by default)."""
    raw = request.args.get("day", "").strip()[:20]
    try:
        day = date.fromisoformat(raw) if raw else clinic_today()
    except ValueError:
        flash("The day must be a date like 2026-01-31; showing today.", "error")
        day = clinic_today()
    start, end = local_to_utc(day, time(0)), local_to_utc(day + timedelta(days=1), time(0))
    rows = db.session.execute(
        sa.select(Consultation, Lead.full_name, User.full_name, User.email)
        .join(Lead, Lead.id == Consultation.lead_id)
        .outerjoin(User, User.id == Consultation.coordinator_id)
        .where(Consultation.starts_at >= start, Consultation.starts_at < end)
        .order_by(Consultation.starts_at, Consultation.id)
    ).all()
    return render_template(
        "consultations/day.html",
        day=day,
        rows=rows,
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
    )
