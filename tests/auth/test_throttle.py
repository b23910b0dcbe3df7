"""Login throttling: failures only, per account and address, per account, per address."""

from __future__ import annotations

import time

from leads.audit.service import AuditAction
from leads.auth.passwords import hash_password
from leads.extensions import db
from leads.models import AuditEntry
from tests.auth.conftest import PASSWORD, login
from tests.factories import make_user

WRONG = "definitely not the password"
THROTTLED = b"Too many attempts. Try again in 15 minutes."


def from_ip(ip: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": ip}}


def post_login(client, email, password=PASSWORD, ip="127.0.0.1"):
    return client.post("/login", data={"email": email, "password": password}, **from_ip(ip))


def account(email: str) -> str:
    make_user(email=email, password_hash=hash_password(PASSWORD))
    db.session.commit()
    return email


def test_account_locks_after_five_failures(make_throttled_app):
    app = make_throttled_app()
    with app.app_context():
        email = account("locked@clinic.example")
        client = app.test_client()
        for _ in range(5):
            assert b"Email or password is incorrect" in login(client, email, WRONG).data
        response = login(client, email)  # even the right password waits
        assert response.status_code == 429
        assert THROTTLED in response.data
        assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
        assert client.get("/dashboard/admin/users").status_code == 302
        actions = db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions == [AuditAction.LOGIN_FAILED] * 5 + [AuditAction.LOGIN_THROTTLED]


def test_lockout_of_one_account_does_not_block_another(make_throttled_app):
    app = make_throttled_app()
    with app.app_context():
        victim, other = account("victim@clinic.example"), account("other@clinic.example")
        client = app.test_client()
        for _ in range(6):
            login(client, victim, WRONG)
        assert login(client, victim).status_code == 429
        assert login(app.test_client(), other).status_code == 302


def test_attacker_elsewhere_cannot_lock_out_the_real_user(make_throttled_app):
    app = make_throttled_app()
    with app.app_context():
        email = account("target@clinic.example")
        attacker = app.test_client()
        for _ in range(6):
            post_login(attacker, email, WRONG, ip="203.0.113.9")
        assert post_login(attacker, email, ip="203.0.113.9").status_code == 429
        assert post_login(app.test_client(), email, ip="198.51.100.7").status_code == 302


def test_account_wide_limit_stops_a_guess_spread_over_addresses(make_throttled_app):
    app = make_throttled_app(LOGIN_LIMIT_PER_ACCOUNT="4 per 15 minutes")
    with app.app_context():
        email = account("spread@clinic.example")
        client = app.test_client()
        for n in range(4):
            post_login(client, email, WRONG, ip=f"203.0.113.{n + 1}")
        response = post_login(client, email, ip="203.0.113.100")
        assert response.status_code == 429 and THROTTLED in response.data


def test_address_limit_stops_one_address_trying_many_accounts(make_throttled_app):
    app = make_throttled_app(LOGIN_LIMIT_PER_IP="3 per 15 minutes")
    with app.app_context():
        real = account("real@clinic.example")
        client = app.test_client()
        for n in range(3):
            post_login(client, f"guess{n}@clinic.example", WRONG)
        assert post_login(client, real).status_code == 429
        assert post_login(client, real, ip="198.51.100.7").status_code == 302


def test_only_failures_count(make_throttled_app):
    app = make_throttled_app()
    with app.app_context():
        email = account("often@clinic.example")
        for _ in range(8):
            assert login(app.test_client(), email).status_code == 302


def test_success_clears_the_account_counter(make_throttled_app):
    app = make_throttled_app()
    with app.app_context():
        email = account("clumsy@clinic.example")
        for _ in range(4):
            login(app.test_client(), email, WRONG)
        assert login(app.test_client(), email).status_code == 302
        for _ in range(4):
            login(app.test_client(), email, WRONG)
        assert login(app.test_client(), email).status_code == 302


def test_lockout_expires(make_throttled_app):
    # A one-second window stands in for the real 15 minutes.
    app = make_throttled_app(LOGIN_LIMIT_PER_ACCOUNT_AND_IP="2 per 1 second")
    with app.app_context():
        email = account("patient@clinic.example")
        client = app.test_client()
        login(client, email, WRONG)
        login(client, email, WRONG)
        response = login(client, email)
        assert response.status_code == 429
        assert b"Too many attempts. Try again in 1 minute." in response.data
        time.sleep(1.2)
        assert login(client, email).status_code == 302


def test_counts_are_shared_by_every_worker(make_throttled_app, redis_url):
    # Two app instances stand for two gunicorn workers sharing one Redis.
    first = make_throttled_app(RATELIMIT_STORAGE_URI=redis_url)
    second = make_throttled_app(RATELIMIT_STORAGE_URI=redis_url)
    with first.app_context():
        email = account("shared@clinic.example")
        client = first.test_client()
        for _ in range(5):
            login(client, email, WRONG)
    with second.app_context():
        assert login(second.test_client(), email).status_code == 429


def test_owner_with_a_known_device_gets_in_while_an_attacker_fills_the_account_limit(make_throttled_app):
    app = make_throttled_app(LOGIN_LIMIT_PER_ACCOUNT="4 per 15 minutes")
    with app.app_context():
        email = account("owner@clinic.example")
        owner = app.test_client()
        assert post_login(owner, email, ip="198.51.100.7").status_code == 302
        assert owner.get_cookie("login-device") is not None
        owner.post("/logout")
        attacker = app.test_client()
        for n in range(5):
            post_login(attacker, email, WRONG, ip=f"203.0.113.{n + 1}")
        # A browser that never logged in waits; the owner's own browser does not.
        assert post_login(app.test_client(), email, ip="198.51.100.7").status_code == 429
        assert post_login(owner, email, ip="198.51.100.7").status_code == 302


def test_a_known_device_still_has_its_own_limit(make_throttled_app):
    app = make_throttled_app()
    with app.app_context():
        email = account("device@clinic.example")
        client = app.test_client()
        assert login(client, email).status_code == 302
        client.post("/logout")
        for _ in range(5):
            assert login(client, email, WRONG).status_code == 200
        assert login(client, email).status_code == 429


def test_a_device_cookie_helps_only_its_own_account_and_only_when_genuine(make_throttled_app):
    app = make_throttled_app(LOGIN_LIMIT_PER_ACCOUNT="2 per 15 minutes")
    with app.app_context():
        mine, victim = account("mine@clinic.example"), account("victim2@clinic.example")
        attacker = app.test_client()
        assert post_login(attacker, mine, ip="203.0.113.50").status_code == 302
        attacker.post("/logout")
        for n in range(3):
            post_login(app.test_client(), victim, WRONG, ip=f"203.0.113.{n + 1}")
        # The attacker's cookie for their own account does not lift the victim's account limit,
        assert post_login(attacker, victim, WRONG, ip="203.0.113.50").status_code == 429
        # and a forged cookie is no cookie at all.
        forger = app.test_client()
        forger.set_cookie("login-device", "eyJhIjoiMSIsImQiOiJ4In0.forged.sig")
        assert post_login(forger, victim, ip="203.0.113.60").status_code == 429


def test_production_device_cookie_is_host_prefixed_secure_and_httponly(make_throttled_app, base_env):
    app = make_throttled_app(PRODUCTION=True)
    with app.app_context():
        email = account("prod-device@clinic.example")
        response = login(app.test_client(), email)
        assert response.status_code == 302
        cookie = next(v for k, v in response.headers.items() if k == "Set-Cookie" and "login-device" in v)
        assert cookie.startswith("__Host-login-device=")
        for flag in ("Secure", "HttpOnly", "Path=/", "SameSite=Lax"):
            assert flag in cookie
        assert "Domain=" not in cookie
