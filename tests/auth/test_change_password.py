"""The one-time password must be replaced at the first login; anyone can change their own."""

from __future__ import annotations

from leads.audit.service import AuditAction
from leads.auth.passwords import verify_password
from leads.extensions import db
from leads.models import AuditEntry, UserSession
from tests.auth.conftest import PASSWORD, login

NEW = "my own new passphrase"
CHANGE = "/account/password"


def change(client, current=PASSWORD, new=NEW, confirm=None):
    return client.post(
        CHANGE, data={"current_password": current, "new_password": new, "confirm_password": confirm or new}
    )


def test_first_login_must_change_password(app, make_account):
    user = make_account(role="admin", must_change_password=True)
    client = app.test_client()
    response = login(client, user.email, next="/dashboard/audit/")
    assert response.headers["Location"] == CHANGE
    # Every dashboard page sends them back until the password is changed.
    for path in ("/dashboard/admin/users", "/dashboard/audit/"):
        assert client.get(path).headers["Location"] == CHANGE
    page = client.get(CHANGE)
    assert page.status_code == 200 and b"one-time password" in page.data

    assert b"current password is not correct" in change(client, current="not my password at all").data
    assert b"at least 12" in change(client, new="short", confirm="short").data
    assert b"differ" in change(client, confirm="something else here").data
    assert b"too common" in change(client, new="password1234").data
    assert b"different from the current" in change(client, new=PASSWORD).data
    db.session.refresh(user)
    assert user.must_change_password

    response = change(client)
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard/"
    db.session.refresh(user)
    assert not user.must_change_password
    assert verify_password(user.password_hash, NEW)
    assert client.get("/dashboard/admin/users").status_code == 200
    assert AuditAction.PASSWORD_CHANGED in db.session.scalars(db.select(AuditEntry.action)).all()


def test_changing_password_ends_other_sessions_but_keeps_this_one(app, make_account):
    user = make_account(role="admin")
    mine, elsewhere = app.test_client(), app.test_client()
    login(mine, user.email)
    login(elsewhere, user.email)
    assert change(mine).status_code == 302
    assert mine.get("/dashboard/admin/users").status_code == 200
    assert elsewhere.get("/dashboard/admin/users").headers["Location"].startswith("/login")
    live = db.session.scalar(db.select(db.func.count(UserSession.id)).where(UserSession.revoked_at.is_(None)))
    assert live == 1


def test_change_password_needs_login(client):
    response = client.get(CHANGE)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert change(client).status_code == 401


def test_a_new_password_equal_to_a_guess_does_not_tell_whether_the_guess_was_right(app, make_account):
    user = make_account()
    client = app.test_client()
    login(client, user.email)
    right = change(client, current=PASSWORD, new=PASSWORD)
    wrong = change(client, current="a wrong guess here", new="a wrong guess here")
    assert (right.status_code, right.data) == (wrong.status_code, wrong.data)
    assert b"different from the current" in right.data


def test_wrong_current_passwords_are_audited_and_throttled_like_logins(make_throttled_app, make_account):
    app = make_throttled_app()
    with app.app_context():
        user = make_account()
        client = app.test_client()
        login(client, user.email)
        for n in range(5):
            response = change(client, current=f"wrong guess number {n}")
            assert response.status_code == 400
            assert b"current password is not correct" in response.data
        # Even the right password now waits, as at the login.
        response = change(client)
        assert response.status_code == 429
        assert int(response.headers["Retry-After"]) > 0
        db.session.refresh(user)
        assert not verify_password(user.password_hash, NEW)
        actions = db.session.scalars(
            db.select(AuditEntry.action).where(AuditEntry.target_id == user.id)
        ).all()
        assert actions.count(AuditAction.PASSWORD_CHANGE_FAILED) == 5
        assert AuditAction.PASSWORD_CHANGE_THROTTLED in actions
        # The guesses count against the login too: the same password, the same counters.
        client.post("/logout")
        assert login(client, user.email).status_code == 429
