"""Route guards: every dashboard page needs a login; admin pages need the admin role."""

from __future__ import annotations

from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user

from leads.errors import wants_json


def require_login():
    """A `before_request` hook: anonymous HTML requests go to login, others get 401."""
    if current_user.is_authenticated:
        if current_user.must_change_password and request.endpoint not in {
            "auth.change_password",
            "auth.logout",
            "static",
        }:
            return redirect(url_for("auth.change_password"))
        return None
    if wants_json() or request.method not in {"GET", "HEAD"}:
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def require_admin():
    """A `before_request` hook for admin blueprints: login first, then the admin role."""
    response = require_login()
    if response is not None:
        return response
    if not current_user.is_admin:
        abort(403)
    return None


def admin_required(view):
    """For a single admin-only view inside a coordinator blueprint."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated or not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def login_required(view):
    """For a single view outside the guarded blueprints (e.g. changing one's own password)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = require_login()
        if response is not None:
            return response
        return view(*args, **kwargs)

    return wrapper
