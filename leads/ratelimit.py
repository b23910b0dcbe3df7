"""Flask-Limiter's storage failure mode (the API's limits; the inquiry form counts in one round trip
of its own, leads/inquiries/rate_limit.py, with the same failure modes): a Redis outage must never
fail a request.

With `RATELIMIT_ON_STORAGE_FAILURE=memory` (the default) each process counts in its own memory
until Redis answers again (Flask-Limiter checks it now and then); with `open` the limits stop
while Redis is away. Errors left after that are logged and swallowed, so a request that
stored an inquiry still gets its redirect. (The login throttle fails closed: leads/auth/throttle.py.)
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, request
from flask_limiter import Limiter

# Views no limit applies to (marked with `unlimited`).
_UNLIMITED_VIEWS: set[Callable] = set()


def unlimited(view: Callable) -> Callable:
    """Exempt a view from every limit and skip the limiter's per-request lookup for it.

    Flask-Limiter resolves a request's limits in a before_request hook even for exempt views;
    for the article page (the busiest public GET) that lookup was 6% of the request.
    """
    from leads.extensions import limiter

    exempt = limiter.exempt(view)
    _UNLIMITED_VIEWS.add(exempt)
    return exempt


def _skip_unlimited_views(app: Flask, limiter: Limiter) -> None:
    hooks = app.before_request_funcs.setdefault(None, [])
    check = limiter._check_request_limit
    if check not in hooks:  # limiter disabled: it registered no hook
        return

    def check_request_limit() -> None:
        if current_app.view_functions.get(request.endpoint or "") not in _UNLIMITED_VIEWS:
            check()

    hooks[hooks.index(check)] = check_request_limit


def init_app(app: Flask, limiter: Limiter) -> None:
    config = app.config
    config["RATELIMIT_SWALLOW_ERRORS"] = True
    config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = config["RATELIMIT_ON_STORAGE_FAILURE"] == "memory"
    # Flask-Limiter keeps the first app's choices on the singleton and its "storage is dead" flag
    # for good; production has one app per process, tests build many: this app's settings win.
    limiter._swallow_errors = True
    limiter._in_memory_fallback_enabled = config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"]
    limiter._storage_dead = False
    limiter.init_app(app)
    _skip_unlimited_views(app, limiter)
