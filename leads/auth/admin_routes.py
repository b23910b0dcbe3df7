"""Admin pages: manage dashboard users. One-time passwords are shown once, in the response, never stored."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from leads.auth import accounts
from leads.auth.forms import ActionForm, AddUserForm
from leads.auth.guards import require_admin
from leads.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/dashboard/admin")
bp.before_request(require_admin)


def _users_page(form: AddUserForm, status: int = 200):
    users = accounts.list_users()
    return render_template("admin/users.html", users=users, form=form, action_form=ActionForm()), status


@bp.get("/")
def index():
    return redirect(url_for("admin.users"))


@bp.get("/users")
def users():
    return _users_page(AddUserForm())


@bp.post("/users")
def add_user():
    form = AddUserForm()
    if not form.validate_on_submit():
        return _users_page(form, 400)
    try:
        user, password = accounts.create_user(
            form.email.data, form.role.data, full_name=form.full_name.data or "", actor=current_user
        )
    except accounts.AccountError as error:
        form.email.errors.append(str(error))
        return _users_page(form, 400)
    db.session.commit()
    return render_template("admin/one_time_password.html", user=user, password=password, created=True)


def _user_or_404(user_id: int):
    user = accounts.get_user(user_id)
    if user is None:
        abort(404)
    return user


@bp.post("/users/<int:user_id>/deactivate")
def deactivate(user_id: int):
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/reactivate")
def reactivate(user_id: int):
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    user = _user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        accounts.set_active(user, active, actor=current_user)
    except accounts.AccountError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.users"))
    db.session.commit()
    flash(f"{user.email} is now {'active' if active else 'deactivated'}.", "info")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reset-password")
def reset_password(user_id: int):
    user = _user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        # Resetting oneself would end this very session; the account page is the way.
        flash("To change your own password, use the account page.", "error")
        return redirect(url_for("admin.users"))
    password = accounts.reset_password(user, actor=current_user)
    db.session.commit()
    return render_template("admin/one_time_password.html", user=user, password=password, created=False)
