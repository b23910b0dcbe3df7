"""Pages that show a lead, an answer or an account are never cached (Cache-Control: no-store).

The test walks `app.url_map`, so a page added to one of these blueprints later is covered too.
"""

from __future__ import annotations

from leads.extensions import db
from leads.security import PRIVATE_BLUEPRINTS
from tests.factories import make_inquiry, make_user
from tests.helpers import log_in
from tests.test_route_guards import url_for_rule


def test_every_private_page_says_no_store(app):
    admin = make_user(role="admin")
    inquiry = make_inquiry()
    db.session.commit()
    client = app.test_client()
    log_in(client, admin)
    checked = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in PRIVATE_BLUEPRINTS or "GET" not in rule.methods:
            continue
        url = url_for_rule(rule).replace("/leads/1", f"/leads/{inquiry.lead_id}")
        response = client.get(url)
        assert response.headers.get("Cache-Control") == "no-store", (rule.rule, response.status_code)
        if response.status_code == 200:
            checked.add(rule.endpoint)
    # The pages the issue names answered 200 and were checked.
    assert {
        "dashboard.inbox",
        "dashboard.lead_page",
        "dashboard.stats_page",
        "audit.index",
        "admin.users",
        "auth.change_password",
    } <= checked, checked


def test_the_login_page_is_not_cached_either(client):
    assert client.get("/login").headers["Cache-Control"] == "no-store"


def test_public_article_pages_keep_their_own_caching(app, client):
    from tests.factories import make_article

    article = make_article()
    db.session.commit()
    response = client.get(f"/{article.slug}/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] != "no-store"
