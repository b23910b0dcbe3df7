"""A password change or a deactivation revokes device cookies; sessions have an absolute lifetime;
staff emails are checked by email-validator."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leads.auth import accounts
from leads.extensions import db
from leads.models import UserSession
from tests.auth.conftest import PASSWORD
from tests.auth.test_throttle import WRONG, account, post_login

NEW_PASSWORD = "a brand new long passphrase"


def _fill_account_limit(app, email: str) -> None:
    for n in range(5):
        post_login(app.test_client(), email, WRONG, ip=f"203.0.113.{n + 1}")


def _stolen_device_client(app, email):
    """A browser that logged in once (so it holds a device cookie), then logged out."""
    client = app.test_client()
    assert post_login(client, email, ip="198.51.100.7").status_code == 302
    assert client.get_cookie("login-device") is not None
    client.post("/logout")
    return client


@pytest.mark.parametrize("revoke", ["admin-set-password", "reset", "deactivate"])
def test_revoking_an_account_revokes_its_device_cookies(make_throttled_app, revoke):
    app = make_throttled_app(LOGIN_LIMIT_PER_ACCOUNT="4 per 15 minutes")
    with app.app_context():
        email = account(f"{revoke}@clinic.example")
        holder = _stolen_device_client(app, email)
        user = accounts.find_user(email)
        password = PASSWORD
        if revoke == "admin-set-password":
            accounts.set_password(user, password := NEW_PASSWORD)
        elif revoke == "reset":
            accounts.reset_password(user)
        else:
            accounts.set_active(user, False)
            accounts.set_active(user, True)
        db.session.commit()
        _fill_account_limit(app, email)
        # The old cookie no longer lifts the account-wide limit.
        assert post_login(holder, email, password, ip="198.51.100.7").status_code == 429


def test_changing_ones_own_password_revokes_other_devices_but_keeps_this_one(make_throttled_app):
    app = make_throttled_app(LOGIN_LIMIT_PER_ACCOUNT="4 per 15 minutes")
    with app.app_context():
        email = account("changer@clinic.example")
        other = _stolen_device_client(app, email)
        me = app.test_client()
        assert post_login(me, email, ip="198.51.100.8").status_code == 302
        response = me.post(
            "/account/password",
            data={
                "current_password": PASSWORD,
                "new_password": NEW_PASSWORD,
                "confirm_password": NEW_PASSWORD,
            },
        )
        assert response.status_code == 302
        me.post("/logout")
        _fill_account_limit(app, email)
        assert post_login(other, email, NEW_PASSWORD, ip="198.51.100.7").status_code == 429
        assert post_login(me, email, NEW_PASSWORD, ip="198.51.100.8").status_code == 302


def test_a_busy_session_still_ends_after_session_max_hours(app, make_account):
    from tests.auth.conftest import login

    user = make_account(role="admin")
    client = app.test_client()
    login(client, user.email)
    assert client.get("/dashboard/admin/users").status_code == 200
    row = db.session.scalar(db.select(UserSession).where(UserSession.user_id == user.id))
    row.created_at -= timedelta(hours=app.config["SESSION_MAX_HOURS"], minutes=1)
    db.session.commit()
    assert app.config["SESSION_MAX_HOURS"] == 12
    response = client.get("/dashboard/admin/users")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    db.session.refresh(row)
    assert row.revoked_at is not None


@pytest.mark.parametrize("email", ["a..b@clinic.example", "ana@-clinic.example", "ana@localhost", "x@y"])
def test_staff_emails_are_validated_by_email_validator(app, email):
    with pytest.raises(accounts.AccountError, match="not a valid email address: "):
        accounts.create_user(email, "coordinator", PASSWORD)


def test_the_admin_form_explains_a_bad_email(make_app, make_account):
    from tests.helpers import log_in

    app = make_app(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        admin = make_account(role="admin")
        client = app.test_client()
        log_in(client, admin)
        response = client.post(
            "/dashboard/admin/users", data={"email": "a..b@clinic.example", "role": "admin"}
        )
    assert response.status_code == 400
    assert "two periods in a row" in response.get_data(as_text=True)


def test_the_users_cli_explains_a_bad_email(runner):
    result = runner.invoke(
        args=["users", "create", "--email", "ana@-clinic.example", "--role", "admin", "--generate"]
    )
    assert result.exit_code != 0
    assert "not a valid email address" in result.output
