"""NUL bytes and out-of-range ids get 400 or 404 on every route, never a 500 (SQLite and PostgreSQL).

The test walks `app.url_map`, logged in as an admin so the guarded pages run their queries too.
"""

from __future__ import annotations

import base64
import json

import pytest
from werkzeug.routing import IntegerConverter

from leads.extensions import db
from leads.input_guard import MAX_ID
from tests.factories import make_user
from tests.helpers import log_in
from tests.test_route_guards import url_for_rule

# Field and query names the app reads (search, filters, login and user forms); a NUL in any
# other name is refused by the same check.
FIELDS = ["q", "email", "password", "full_name", "name", "actor", "action", "status", "next", "message", "x"]
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
HUGE_ID = 99999999999999999999


@pytest.fixture
def admin_client(app):
    admin = make_user(role="admin")
    db.session.commit()
    client = app.test_client()
    log_in(client, admin)
    return client


def routes(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def test_nul_bytes_in_the_query_string_get_400_everywhere(app, admin_client):
    query = dict.fromkeys(FIELDS, "a\x00b")
    for rule in routes(app):
        if "GET" in rule.methods:
            response = admin_client.get(url_for_rule(rule), query_string=query)
            assert response.status_code == 400, (rule.rule, response.status_code)


def test_nul_bytes_in_form_fields_get_400_everywhere(app, admin_client):
    form = dict.fromkeys(FIELDS, "a\x00b")
    for rule in routes(app):
        for method in sorted(rule.methods & WRITE_METHODS):
            response = admin_client.open(url_for_rule(rule), method=method, data=form)
            assert response.status_code == 400, (rule.rule, method, response.status_code)


def test_a_nul_byte_in_the_path_gets_404(admin_client):
    assert admin_client.get("/some%00slug/").status_code == 404
    assert admin_client.get("/dashboard/%00").status_code == 404


def test_anonymous_login_with_a_nul_byte_gets_400(client):
    response = client.post("/login", data={"email": "a\x00@clinic.example", "password": "x"})
    assert response.status_code == 400


def test_ids_past_the_id_range_get_404_everywhere(app, admin_client):
    checked = 0
    for rule in routes(app):
        ints = [name for name in rule.arguments if isinstance(rule._converters[name], IntegerConverter)]
        if not ints:
            continue
        path = rule.rule
        for name in rule.arguments:
            value = HUGE_ID if name in ints else "1"
            path = path.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = admin_client.open(path, method=method)
            assert response.status_code == 404, (rule.rule, method, response.status_code)
            checked += 1
    assert checked > 0


@pytest.mark.parametrize("lead_id", [MAX_ID, MAX_ID + 1, 2**63, HUGE_ID])
def test_large_ids_are_an_ordinary_404(admin_client, lead_id):
    assert admin_client.get(f"/dashboard/leads/{lead_id}").status_code == 404


@pytest.mark.parametrize("name", ["article", "assignee"])
def test_inbox_filters_with_ids_past_the_range_are_ignored(admin_client, name):
    response = admin_client.get("/dashboard/", query_string={name: str(HUGE_ID)[:10]})
    assert response.status_code == 200
    assert b"ignored" in response.data


def test_an_edited_cursor_with_a_huge_id_is_refused_as_a_bad_cursor(admin_client):
    raw = json.dumps(["newest", ["2026-01-01T00:00:00+00:00", HUGE_ID]]).encode()
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    response = admin_client.get("/dashboard/", query_string={"sort": "newest", "after": cursor})
    assert response.status_code in {200, 400}


@pytest.mark.parametrize(
    "query",
    [
        {"target_id": str(MAX_ID + 1)},
        {"before": str(MAX_ID + 1)},
        {"target_id": str(HUGE_ID)},
        {"date_to": "9999-12-31"},
        {"date_from": "0001-01-01", "date_to": "9999-12-31"},
    ],
)
def test_audit_filters_at_the_edges_are_no_server_error(admin_client, query):
    assert admin_client.get("/dashboard/audit/", query_string=query).status_code == 200


@pytest.mark.parametrize("query", [{"created_to": "9999-12-31"}, {"created_from": "0001-01-01"}])
def test_inbox_dates_at_the_edges_are_no_server_error(admin_client, query):
    assert admin_client.get("/dashboard/", query_string=query).status_code == 200
    assert admin_client.get("/dashboard/export.csv", query_string=query).status_code == 200
