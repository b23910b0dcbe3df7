"""The audit log: recorded by the service, read and filtered by admins, never edited."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from leads.audit.append_only import append_only_sql
from leads.audit.labels import LABELS, action_label
from leads.audit.service import AuditAction, record_audit
from leads.auth.passwords import hash_password
from leads.extensions import db
from leads.models import AuditEntry
from tests.factories import make_user
from tests.helpers import log_in

AUDIT = "/dashboard/audit/"


@pytest.fixture
def admin_client(app):
    admin = make_user(role="admin", email="boss@clinic.example", password_hash=hash_password("x" * 12))
    db.session.commit()
    client = app.test_client()
    log_in(client, admin)
    return client


def add(action, *, actor_email=None, target_type=None, target_id=None, when=None, **details):
    entry = record_audit(action, target_type, target_id, actor_email=actor_email, **details)
    if when is not None:
        entry.created_at = when
    db.session.commit()
    return entry


def rows(html: str) -> int:
    return html.count("<tr>") - 1  # minus the header row


def test_entries_newest_first(admin_client):
    add(AuditAction.LEAD_VIEWED, actor_email="first@clinic.example", target_type="lead", target_id=1)
    add(AuditAction.LEADS_EXPORTED, actor_email="second@clinic.example")
    page = admin_client.get(AUDIT).get_data(as_text=True)
    assert page.index("second@clinic.example") < page.index("first@clinic.example")
    assert "lead #1" in page


def test_filters(admin_client):
    now = datetime.now(UTC)
    add(AuditAction.LEAD_VIEWED, actor_email="ana@clinic.example", target_type="lead", target_id=7)
    add(AuditAction.LEAD_VIEWED, actor_email="ben@clinic.example", target_type="lead", target_id=8)
    add(AuditAction.LEADS_EXPORTED, actor_email="ana@clinic.example", when=now - timedelta(days=10))
    add(AuditAction.LOGIN_FAILED, actor_email="a_b%@clinic.example")

    def count(**query):
        response = admin_client.get(AUDIT, query_string=query)
        assert response.status_code == 200
        return rows(response.get_data(as_text=True))

    assert count() == 4
    assert count(action=AuditAction.LEAD_VIEWED) == 2
    assert count(actor="ANA@") == 2
    assert count(actor="a_b%") == 1  # LIKE wildcards are taken literally
    assert count(target_type="lead", target_id="8") == 1
    assert (
        count(
            date_from=(now - timedelta(days=11)).date().isoformat(),
            date_to=(now - timedelta(days=9)).date().isoformat(),
        )
        == 1
    )
    assert count(date_from=now.date().isoformat()) == 3
    assert count(action=AuditAction.LEAD_VIEWED, actor="ben") == 1


@pytest.mark.parametrize(
    "query",
    [
        {"action": "no.such.action"},
        {"target_id": "abc"},
        {"target_id": "-5"},
        {"target_id": "99999999999999999999999"},
        {"date_from": "2024-13-45"},
        {"date_to": "yesterday"},
        {"before": "x"},
        {"actor": "<script>alert(1)</script>"},
    ],
)
def test_bad_filter_values_never_break_the_page(admin_client, query):
    add(AuditAction.LOGOUT, actor_email="someone@clinic.example")
    response = admin_client.get(AUDIT, query_string=query)
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.data


def test_pagination_keeps_filters(admin_client, monkeypatch):
    monkeypatch.setattr("leads.audit.routes.PAGE_SIZE", 3)
    for n in range(7):
        add(AuditAction.LEAD_VIEWED, actor_email="ana@clinic.example", target_type="lead", target_id=n)
    add(AuditAction.LOGOUT, actor_email="ana@clinic.example")
    seen = []
    url = f"{AUDIT}?action={AuditAction.LEAD_VIEWED}"
    while url:
        page = admin_client.get(url).get_data(as_text=True)
        seen += [int(n) for n in re.findall(r"lead #(\d+)", page)]
        match = re.search(r'rel="next" href="([^"]+)"', page)
        url = match.group(1).replace("&amp;", "&") if match else None
        if url:
            assert "action=lead.viewed" in url
    assert seen == [6, 5, 4, 3, 2, 1, 0]


def test_audit_fields_are_escaped(admin_client):
    add(AuditAction.LOGIN_FAILED, actor_email="<img src=x onerror=alert(1)>@x", note="<b>bold</b>")
    page = admin_client.get(AUDIT).get_data(as_text=True)
    assert "<img src=x" not in page and "<b>bold</b>" not in page
    assert "&lt;img src=x" in page


def test_no_route_can_change_the_log(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/dashboard/audit")]
    assert rules
    for rule in rules:
        assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def test_record_audit_takes_the_request_details(app, client):
    user = make_user(role="admin", password_hash=hash_password("x" * 12))
    db.session.commit()
    client.post(
        "/login",
        data={"email": user.email, "password": "whatever it is"},
        headers={"User-Agent": "TestAgent/1.0"},
        environ_base={"REMOTE_ADDR": "198.51.100.23"},
    )
    entry = db.session.scalar(db.select(AuditEntry))
    assert (entry.action, entry.actor_email, entry.ip_address, entry.user_agent) == (
        AuditAction.LOGIN_FAILED,
        user.email,
        "198.51.100.23",
        "TestAgent/1.0",
    )
    assert user.id


def test_log_is_append_only_in_the_database(app):
    entry = add(AuditAction.LOGOUT, actor_email="someone@clinic.example")
    statements = append_only_sql()
    assert "BEFORE UPDATE OR DELETE ON audit_log" in statements[1]
    assert "RAISE EXCEPTION" in statements[0]
    if db.engine.dialect.name != "postgresql":
        # SQLite has no such trigger; the statements above are what the PostgreSQL migration installs.
        return
    for statement in (
        sa.update(AuditEntry).where(AuditEntry.id == entry.id).values(action="edited"),
        sa.delete(AuditEntry).where(AuditEntry.id == entry.id),
    ):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            db.session.execute(statement)
        db.session.rollback()
    assert db.session.scalar(db.select(AuditEntry.action)) == AuditAction.LOGOUT


def test_actions_read_as_words_and_lead_views_can_be_hidden(admin_client):
    add(AuditAction.LEAD_VIEWED, actor_email="ana@clinic.example", target_type="lead", target_id=7)
    add(AuditAction.STATUS_CHANGED, actor_email="ana@clinic.example", target_type="lead", target_id=7)
    page = admin_client.get(AUDIT).get_data(as_text=True)
    cells = [
        td.get_text(strip=True) for td in BeautifulSoup(page, "html.parser").select("tbody td:nth-of-type(3)")
    ]
    assert cells == ["Changed a lead's status", "Viewed a lead"]
    # The action filter offers the same words.
    assert '<option value="lead.viewed">Viewed a lead</option>' in page

    hidden = admin_client.get(AUDIT, query_string={"hide_views": "y"}).get_data(as_text=True)
    cells = [
        td.get_text(strip=True)
        for td in BeautifulSoup(hidden, "html.parser").select("tbody td:nth-of-type(3)")
    ]
    assert cells == ["Changed a lead's status"]
    # The next page keeps the choice.
    assert BeautifulSoup(hidden, "html.parser").select_one("#hide_views").has_attr("checked")


def test_an_action_without_a_label_still_reads_as_words():
    assert action_label("password_change.throttled") == "Password change throttled"
    assert set(LABELS) == {value for name, value in vars(AuditAction).items() if name.isupper()}
