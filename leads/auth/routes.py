"""Login, logout and changing one's own password."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from leads.auth.devices import remember_device
from leads.auth.forms import ChangePasswordForm, LoginForm
from leads.auth.guards import login_required
from leads.auth.login import (
    DEFAULT_NEXT,
    authenticate,
    change_own_password,
    end_session,
    safe_next,
    start_session,
)
from leads.auth.throttle import STORAGE_DOWN_RETRY_SECONDS, ThrottleUnavailable

bp = Blueprint("auth", __name__)

BAD_CREDENTIALS = "Email or password is incorrect."
SIGN_IN_PAUSED = "Signing in is paused for a moment on our side. Please try again in a minute."


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = LoginForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("auth/login.html", form=form, next_url=next_url), status

    try:
        result = authenticate(form.email.data, form.password.data)
    except ThrottleUnavailable:
        headers = {"Retry-After": str(STORAGE_DOWN_RETRY_SECONDS)}
        return (
            render_template("auth/login.html", form=form, next_url=next_url, error=SIGN_IN_PAUSED),
            503,
            headers,
        )
    if result.throttled:
        message = _too_many(result.retry_after_minutes)
        headers = {"Retry-After": str(result.retry_after_seconds)}
        return render_template("auth/login.html", form=form, next_url=next_url, error=message), 429, headers
    if result.user is None:
        return render_template("auth/login.html", form=form, next_url=next_url, error=BAD_CREDENTIALS)

    start_session(result.user)
    target = url_for("auth.change_password") if result.user.must_change_password else next_url
    return remember_device(redirect(target), result.user)


@bp.post("/logout")
def logout():
    end_session(current_user if current_user.is_authenticated else None)
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("auth/change_password.html", form=form), status
    result = change_own_password(current_user, form.current_password.data, form.new_password.data)
    if result.throttled:
        headers = {"Retry-After": str(result.retry_after_seconds)}
        error = _too_many(result.retry_after_minutes)
        return render_template("auth/change_password.html", form=form, error=error), 429, headers
    if result.problem is not None:
        return render_template("auth/change_password.html", form=form, error=result.problem), 400
    # The change revoked every device cookie of the account; this browser is still the owner's.
    return remember_device(redirect(DEFAULT_NEXT), current_user)


def _too_many(minutes: int) -> str:
    return f"Too many attempts. Try again in {minutes} minute{'' if minutes == 1 else 's'}."
