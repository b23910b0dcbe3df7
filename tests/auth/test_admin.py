"""Admin user management at /dashboard/admin/users."""

from __future__ import annotations

import re

from leads.audit.service import AuditAction
from leads.auth.passwords import verify_password
from leads.extensions import db
from leads.models import AuditEntry, User, UserSession
from tests.auth.conftest import PASSWORD, csrf_token_from, login

USERS = "/dashboard/admin/users"


def one_time_password(html: str) -> str:
    match = re.search(r'<code class="secret">([^<]+)</code>', html)
    assert match, "no one-time password on the page"
    return match.group(1)


def actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


def admin_client(app, make_account):
    admin = make_account(role="admin", email="boss@clinic.example")
    client = app.test_client()
    login(client, admin.email)
    return client, admin


def test_users_page_lists_accounts(app, make_account):
    client, _ = admin_client(app, make_account)
    make_account(email="coord@clinic.example", full_name="Cora <b>Ord</b>")
    response = client.get(USERS)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "coord@clinic.example" in page and "boss@clinic.example" in page
    assert "Cora &lt;b&gt;Ord&lt;/b&gt;" in page


def test_add_user_shows_one_time_password_once(app, make_account):
    client, admin = admin_client(app, make_account)
    response = client.post(
        USERS, data={"email": "New@Clinic.example", "full_name": "Nina", "role": "coordinator"}
    )
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = one_time_password(response.get_data(as_text=True))
    user = db.session.scalar(db.select(User).where(User.email == "new@clinic.example"))
    assert user.full_name == "Nina" and user.role == "coordinator" and user.must_change_password
    assert verify_password(user.password_hash, password)
    assert password not in client.get(USERS).get_data(as_text=True)
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == AuditAction.USER_CREATED))
    assert entry.actor_id == admin.id and entry.target_id == user.id

    # The new person logs in with it and must choose their own password first.
    newcomer = app.test_client()
    assert login(newcomer, "new@clinic.example", password).headers["Location"] == "/account/password"


def test_add_user_refuses_duplicates_and_bad_input(app, make_account):
    client, _ = admin_client(app, make_account)
    make_account(email="taken@clinic.example")
    for data in (
        {"email": "TAKEN@clinic.example", "role": "coordinator"},
        {"email": "not an email", "role": "coordinator"},
        {"email": "x@clinic.example", "role": "superuser"},
        {"email": "", "role": "admin"},
    ):
        response = client.post(USERS, data=data)
        assert response.status_code == 400
    page = client.post(USERS, data={"email": "taken@clinic.example", "role": "admin"}).get_data(as_text=True)
    assert "already exists" in page
    assert db.session.scalar(db.select(db.func.count(User.id))) == 2


def test_deactivate_ends_sessions_and_reactivate(app, make_account):
    client, _ = admin_client(app, make_account)
    target = make_account(email="leaving@clinic.example", role="admin")
    their_client = app.test_client()
    login(their_client, target.email)
    assert their_client.get(USERS).status_code == 200

    response = client.post(f"{USERS}/{target.id}/deactivate")
    assert response.status_code == 302
    assert their_client.get(USERS).headers["Location"].startswith("/login")
    db.session.refresh(target)
    assert not target.active
    assert (
        db.session.scalar(
            db.select(db.func.count(UserSession.id)).where(
                UserSession.user_id == target.id, UserSession.revoked_at.is_(None)
            )
        )
        == 0
    )
    assert b"Email or password is incorrect" in login(app.test_client(), target.email).data

    client.post(f"{USERS}/{target.id}/reactivate")
    db.session.refresh(target)
    assert target.active
    assert login(app.test_client(), target.email).status_code == 302
    assert actions().count(AuditAction.USER_UPDATED) == 2


def test_admin_cannot_deactivate_or_reset_self(app, make_account):
    client, admin = admin_client(app, make_account)
    client.post(f"{USERS}/{admin.id}/deactivate")
    assert "cannot deactivate your own account" in client.get(USERS).get_data(as_text=True)
    client.post(f"{USERS}/{admin.id}/reset-password")
    assert "use the account page" in client.get(USERS).get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.active and verify_password(admin.password_hash, PASSWORD)


def test_reset_password_gives_new_one_time_password_and_ends_sessions(app, make_account):
    client, _ = admin_client(app, make_account)
    target = make_account(email="forgetful@clinic.example", role="admin")
    their_client = app.test_client()
    login(their_client, target.email)

    response = client.post(f"{USERS}/{target.id}/reset-password")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = one_time_password(response.get_data(as_text=True))
    assert their_client.get(USERS).headers["Location"].startswith("/login")
    db.session.refresh(target)
    assert target.must_change_password
    assert verify_password(target.password_hash, password)
    assert not verify_password(target.password_hash, PASSWORD)
    assert AuditAction.PASSWORD_CHANGED in actions()


def test_unknown_user_is_404(app, make_account):
    client, _ = admin_client(app, make_account)
    assert client.post(f"{USERS}/9999/deactivate").status_code == 404
    assert client.post(f"{USERS}/9999/reset-password").status_code == 404


def test_admin_forms_need_csrf(make_app, make_account):
    app = make_app(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=False)
    with app.app_context():
        email = make_account(role="admin").email
        target_id = make_account(email="t@clinic.example").id
    client = app.test_client()
    login(client, email, csrf_token=csrf_token_from(client.get("/login").get_data(as_text=True)))
    for path in (f"{USERS}/{target_id}/deactivate", f"{USERS}/{target_id}/reset-password"):
        assert client.post(path).status_code == 400
    assert client.post(USERS, data={"email": "n@clinic.example", "role": "admin"}).status_code == 400
    token = csrf_token_from(client.get(USERS).get_data(as_text=True))
    assert client.post(f"{USERS}/{target_id}/deactivate", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert not db.session.get(User, target_id).active


def test_coordinator_cannot_manage_users(app, make_account):
    coordinator = make_account()
    client = app.test_client()
    login(client, coordinator.email)
    assert client.get(USERS).status_code == 403
    assert client.post(USERS, data={"email": "n@clinic.example", "role": "admin"}).status_code == 403
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1
