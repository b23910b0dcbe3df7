"""Logging in and out: credentials, sessions, cookies, `next`, audit entries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from leads.audit.service import AuditAction
from leads.auth.login import safe_next
from leads.auth.passwords import hasher, verify_password
from leads.auth.sessions import hash_token
from leads.config import load_settings
from leads.extensions import db
from leads.models import AuditEntry, UserSession
from tests.auth.conftest import PASSWORD, csrf_token_from, login
from tests.helpers import PRODUCTION_CLINIC

ADMIN_PAGE = "/dashboard/admin/users"


def audit_actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b'name="email"' in response.data and b'name="password"' in response.data


def test_login_succeeds_and_is_audited(client, make_account):
    user = make_account(role="admin")
    response = login(client, user.email.upper())
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/"
    assert client.get(ADMIN_PAGE).status_code == 200
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == AuditAction.LOGIN_SUCCEEDED))
    assert entry.actor_id == user.id and entry.ip_address == "127.0.0.1"
    db.session.refresh(user)
    assert user.last_login_at is not None


@pytest.mark.parametrize("wrong", ["wrong password entirely", "", "x" * 2000])
def test_bad_password_gets_a_generic_message(client, make_account, wrong):
    user = make_account()
    response = login(client, user.email, wrong)
    assert response.status_code in {200, 400}
    assert client.get(ADMIN_PAGE).headers["Location"].startswith("/login")
    if wrong and len(wrong) < 1024:
        assert b"Email or password is incorrect" in response.data
        assert audit_actions() == [AuditAction.LOGIN_FAILED]


def test_unknown_email_answers_like_a_wrong_password(client, make_account):
    make_account(email="real@clinic.example")
    unknown = login(client, "nobody@clinic.example")
    wrong = login(client, "real@clinic.example", "not the password at all")
    assert unknown.status_code == wrong.status_code == 200
    assert b"Email or password is incorrect" in unknown.data
    assert b"Email or password is incorrect" in wrong.data
    entries = list(db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)))
    assert [(e.action, e.actor_email, e.actor_id) for e in entries] == [
        (AuditAction.LOGIN_FAILED, None, None),
        (AuditAction.LOGIN_FAILED, "real@clinic.example", None),
    ]
    # What was typed for an unknown account (often a password) is never stored as such.
    assert entries[0].details["attempted_account"] == "unknown"
    assert len(entries[0].details["attempt_hash"]) == 12
    assert "nobody" not in str(entries[0].details)


def test_deactivated_account_cannot_log_in(client, make_account):
    user = make_account(active=False)
    response = login(client, user.email)
    assert b"Email or password is incorrect" in response.data
    assert audit_actions() == [AuditAction.LOGIN_FAILED]


def test_login_needs_csrf_token(make_app, make_account):
    app = make_app(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=False)
    with app.app_context():
        email = make_account().email
    client = app.test_client()
    assert login(client, email).status_code == 400
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    assert login(client, email, csrf_token=token).status_code == 302


def test_login_opens_a_new_session(client, make_account):
    user = make_account()
    with client.session_transaction() as session:
        session["_user_id"] = "planted-by-an-attacker"
        session["planted"] = "yes"
    login(client, user.email)
    with client.session_transaction() as session:
        first = session["_user_id"]
        assert first != "planted-by-an-attacker"
        assert "planted" not in session
    other = client.application.test_client()
    login(other, user.email)
    with other.session_transaction() as session:
        assert session["_user_id"] != first
    rows = db.session.scalars(db.select(UserSession).where(UserSession.user_id == user.id)).all()
    assert {row.token_hash for row in rows} >= {hash_token(first)}
    assert len(rows) == 2


def test_logout_kills_a_copied_cookie(client, make_account):
    user = make_account(role="admin")
    login(client, user.email)
    thief = client.application.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    assert thief.get(ADMIN_PAGE).status_code == 200

    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get(ADMIN_PAGE).headers["Location"].startswith("/login")
    stolen = thief.get(ADMIN_PAGE)
    assert stolen.status_code == 302 and stolen.headers["Location"].startswith("/login")
    assert AuditAction.LOGOUT in audit_actions()


def test_logout_is_post_only_and_needs_csrf(make_app, make_account):
    app = make_app(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=False)
    with app.app_context():
        email = make_account(role="admin").email
    # Requests outside a pushed app context: each gets its own `g`, as in production.
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    login(client, email, csrf_token=token)
    # GET never logs out (the URL is POST-only; whatever else answers a GET, the session stays).
    assert client.get("/logout").status_code in {308, 404, 405}
    assert client.post("/logout").status_code == 400
    page = client.get(ADMIN_PAGE)
    assert page.status_code == 200
    assert (
        client.post("/logout", data={"csrf_token": csrf_token_from(page.get_data(as_text=True))}).status_code
        == 302
    )
    assert client.get(ADMIN_PAGE).status_code == 302


def test_idle_session_expires(app, client, make_account):
    user = make_account(role="admin")
    login(client, user.email)
    assert client.get(ADMIN_PAGE).status_code == 200
    row = db.session.scalar(db.select(UserSession).where(UserSession.user_id == user.id))
    row.last_seen_at = row.last_seen_at - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    db.session.commit()
    response = client.get(ADMIN_PAGE)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    db.session.refresh(row)
    assert row.revoked_at is not None


def test_active_session_is_kept_alive(app, client, make_account):
    user = make_account(role="admin")
    login(client, user.email)
    row = db.session.scalar(db.select(UserSession).where(UserSession.user_id == user.id))
    row.last_seen_at = row.last_seen_at - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 1)
    db.session.commit()
    assert client.get(ADMIN_PAGE).status_code == 200
    db.session.refresh(row)
    assert row.revoked_at is None


def test_login_cookie_is_httponly_and_samesite_lax(client, make_account):
    user = make_account()
    cookies = login(client, user.email).headers.getlist("Set-Cookie")
    cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_strict(make_app, make_account, base_env):
    production = {
        "APP_ENV": "production",
        "REDIS_URL": "redis://redis:6379/0",
        "PUBLIC_BASE_URL": "https://clinic.example",
        **PRODUCTION_CLINIC,
    }
    settings = load_settings({**base_env, **production})
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert settings["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert settings["REMEMBER_COOKIE_SECURE"] is True

    # The throttle's storage is only reached on a failed login; this one succeeds.
    app = make_app(production, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        user = make_account()
        cookies = login(app.test_client(), user.email).headers.getlist("Set-Cookie")
    # Every cookie set at login (the session's and the device cookie) carries the same flags.
    assert any(c.startswith("__Host-session=") for c in cookies)
    assert all(c.startswith("__Host-") for c in cookies)
    for cookie in cookies:
        for part in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
            assert part in cookie
        assert "Domain=" not in cookie


def test_login_rehashes_when_parameters_change(client, make_account):
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    user = make_account(password_hash=weak.hash(PASSWORD))
    old_hash = user.password_hash
    assert hasher.check_needs_rehash(old_hash)
    login(client, user.email)
    db.session.refresh(user)
    assert user.password_hash != old_hash
    assert not hasher.check_needs_rehash(user.password_hash)
    assert verify_password(user.password_hash, PASSWORD)


def test_current_hash_is_not_rewritten_at_login(client, make_account):
    user = make_account()
    old_hash = user.password_hash
    login(client, user.email)
    db.session.refresh(user)
    assert user.password_hash == old_hash


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/dashboard/",
        "\\/evil.example",
        "%2F%2Fevil.example",
        "https:evil.example",
        " //evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\n/evil.example",
        "/\\evil.example",
        "/\\/evil.example",
        "\\\\evil.example",
        "https://evil.example",
        "https://evil.example/dashboard/",
        "http:/evil.example",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "/dash\nboard",
        "/dash\tboard",
        "dashboard/",
        "",
    ],
)
def test_next_never_leaves_the_site(client, make_account, target):
    assert safe_next(target) == "/dashboard/"
    user = make_account()
    response = login(client, user.email, next=target)
    assert response.headers["Location"] == "/dashboard/"


@pytest.mark.parametrize("target", ["/dashboard/audit/?action=logout", "/dashboard/leads/7", "/dashboard/"])
def test_next_to_a_local_page_is_followed(client, make_account, target):
    user = make_account()
    assert login(client, user.email, next=target).headers["Location"] == target


def test_guard_sends_anonymous_visitor_to_login_with_next(client):
    response = client.get("/dashboard/admin/users?x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/dashboard/admin/users?x%3D1"
    assert b'value="/dashboard/admin/users?x=1"' in client.get(response.headers["Location"]).data


def test_logged_in_visitor_on_login_page_goes_on(client, make_account):
    user = make_account()
    login(client, user.email)
    assert client.get("/login").headers["Location"] == "/dashboard/"
