"""Every route under /dashboard needs a login; admin and audit routes need the admin role.

The test walks `app.url_map`, so routes added later are covered without editing it.
"""

from __future__ import annotations

import uuid

import pytest
from werkzeug.routing import IntegerConverter, Rule, UUIDConverter

from leads.extensions import db
from tests.factories import make_user
from tests.helpers import log_in

ADMIN_PREFIXES = ("/dashboard/admin", "/dashboard/audit")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def dummy_value(converter) -> object:
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    return "1"


def url_for_rule(rule: Rule) -> str:
    values = {name: dummy_value(rule._converters[name]) for name in rule.arguments}
    built = rule.build(values, append_unknown=False)
    assert built is not None, f"could not build {rule.rule}"
    return built[1]


def dashboard_rules(app) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/dashboard")]


def test_the_map_has_dashboard_admin_and_audit_routes(app):
    paths = [rule.rule for rule in dashboard_rules(app)]
    assert any(path.startswith("/dashboard/admin") for path in paths)
    assert any(path.startswith("/dashboard/audit") for path in paths)


def test_anonymous_visitors_are_sent_to_login(app, client):
    for rule in dashboard_rules(app):
        url = url_for_rule(rule)
        if "GET" in rule.methods:
            response = client.get(url)
            assert response.status_code == 302, (rule.rule, response.status_code)
            assert response.headers["Location"].startswith("/login?next="), rule.rule
            response = client.get(url, headers={"Accept": "application/json"})
            assert response.status_code == 401, (rule.rule, response.status_code)
        for method in sorted(rule.methods & WRITE_METHODS):
            response = client.open(url, method=method)
            assert response.status_code == 401, (rule.rule, method, response.status_code)


def test_anonymous_writes_with_csrf_on_are_refused(make_app):
    app = make_app(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=False)
    client = app.test_client()
    for rule in dashboard_rules(app):
        for method in sorted(rule.methods & WRITE_METHODS):
            response = client.open(url_for_rule(rule), method=method)
            assert response.status_code in {302, 400, 401}, (rule.rule, method, response.status_code)


@pytest.fixture
def coordinator_client(app):
    coordinator = make_user(role="coordinator")
    db.session.commit()
    client = app.test_client()
    log_in(client, coordinator)
    return client


def test_coordinators_get_403_on_admin_routes(app, coordinator_client):
    checked = 0
    for rule in dashboard_rules(app):
        if not rule.rule.startswith(ADMIN_PREFIXES):
            continue
        url = url_for_rule(rule)
        for method in sorted(rule.methods & ({"GET"} | WRITE_METHODS)):
            response = coordinator_client.open(url, method=method)
            assert response.status_code == 403, (rule.rule, method, response.status_code)
            checked += 1
    assert checked >= 2


def test_coordinator_session_is_real(coordinator_client):
    """The 403s above come from the role check, not from a failed login."""
    assert coordinator_client.get("/account/password").status_code == 200
