"""`flask users …`."""

from __future__ import annotations

import pytest

from leads.audit.service import AuditAction
from leads.auth.passwords import verify_password
from leads.auth.sessions import begin_session
from leads.extensions import db
from leads.models import AuditEntry, User, UserSession
from tests.auth.conftest import PASSWORD

NEW = "a brand new passphrase"


def user_by_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(db.select(User).where(User.email == email))


def test_create_prompts_twice_hidden(runner):
    result = runner.invoke(
        args=["users", "create", "--email", " Ana@Clinic.example ", "--role", "admin", "--name", "Ana"],
        input=f"{NEW}\n{NEW}\n",
    )
    assert result.exit_code == 0, result.output
    assert NEW not in result.output  # hidden input is not echoed
    assert result.output.count("Password") == 1 and "Repeat for confirmation" in result.output
    user = user_by_email("ana@clinic.example")
    assert user.role == "admin" and user.full_name == "Ana" and not user.must_change_password
    assert verify_password(user.password_hash, NEW)
    assert db.session.scalar(db.select(AuditEntry.action)) == AuditAction.USER_CREATED


def test_create_reprompts_when_the_two_entries_differ(runner):
    result = runner.invoke(
        args=["users", "create", "--email", "b@clinic.example", "--role", "coordinator"],
        input=f"{NEW}\nsomething else entirely\n{NEW}\n{NEW}\n",
    )
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    assert verify_password(user_by_email("b@clinic.example").password_hash, NEW)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "weak@clinic.example", "--role", "coordinator"], "at least 12"),
        (["--email", "not-an-email", "--role", "coordinator"], "not a valid email"),
        (["--email", "x@clinic.example", "--role", "owner"], "Invalid value for '--role'"),
    ],
)
def test_create_refuses_bad_input(runner, args, message):
    result = runner.invoke(args=["users", "create", *args], input="short\nshort\n")
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(db.select(User.id)) is None


def test_create_refuses_a_duplicate(runner, make_account):
    make_account(email="dup@clinic.example")
    result = runner.invoke(
        args=["users", "create", "--email", "DUP@clinic.example", "--role", "admin", "--generate"]
    )
    assert result.exit_code == 1 and "already exists" in result.output


def test_create_generate_prints_a_one_time_password(runner):
    result = runner.invoke(
        args=["users", "create", "--email", "g@clinic.example", "--role", "coordinator", "--generate"]
    )
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("One-time password: "))
    password = line.removeprefix("One-time password: ")
    user = user_by_email("g@clinic.example")
    assert verify_password(user.password_hash, password)
    assert user.must_change_password


def test_set_password_prompts_and_ends_sessions(runner, make_account):
    user = make_account(email="s@clinic.example")
    begin_session(user)
    db.session.commit()
    result = runner.invoke(
        args=["users", "set-password", "--email", "s@clinic.example"], input=f"{NEW}\n{NEW}\n"
    )
    assert result.exit_code == 0, result.output
    user = user_by_email("s@clinic.example")
    assert verify_password(user.password_hash, NEW) and not verify_password(user.password_hash, PASSWORD)
    assert db.session.scalar(db.select(UserSession.revoked_at)) is not None
    assert AuditAction.PASSWORD_CHANGED in db.session.scalars(db.select(AuditEntry.action)).all()


def test_set_password_generate_and_unknown_email(runner, make_account):
    make_account(email="r@clinic.example")
    result = runner.invoke(args=["users", "set-password", "--email", "r@clinic.example", "--generate"])
    assert result.exit_code == 0
    password = result.output.split("One-time password: ")[1].strip()
    user = user_by_email("r@clinic.example")
    assert verify_password(user.password_hash, password) and user.must_change_password
    missing = runner.invoke(args=["users", "set-password", "--email", "nobody@clinic.example", "--generate"])
    assert missing.exit_code == 1 and "No account" in missing.output


def test_list_and_deactivate(runner, make_account):
    make_account(email="one@clinic.example", role="admin")
    user = make_account(email="two@clinic.example")
    begin_session(user)
    db.session.commit()
    listed = runner.invoke(args=["users", "list"])
    assert "one@clinic.example" in listed.output and "two@clinic.example" in listed.output
    result = runner.invoke(args=["users", "deactivate", "--email", "two@clinic.example"])
    assert result.exit_code == 0
    user = user_by_email("two@clinic.example")
    assert not user.active
    assert db.session.scalar(db.select(UserSession.revoked_at)) is not None
    assert "inactive" in runner.invoke(args=["users", "list"]).output


def test_bootstrap_admin_prints_once_and_never_again(runner):
    first = runner.invoke(args=["users", "bootstrap-admin"])
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    assert len(lines) == 2
    assert lines[0] == "Admin login: admin@clinic.example"
    assert lines[1].startswith("One-time password: ")
    password = lines[1].removeprefix("One-time password: ")
    admin = user_by_email("admin@clinic.example")
    assert admin.is_admin and admin.must_change_password
    assert verify_password(admin.password_hash, password)

    again = runner.invoke(args=["users", "bootstrap-admin"])
    assert again.exit_code == 0 and again.output == ""
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_bootstrap_admin_does_nothing_when_users_exist(runner, make_account):
    make_account()
    result = runner.invoke(args=["users", "bootstrap-admin"])
    assert result.exit_code == 0 and result.output == ""
    assert user_by_email("admin@clinic.example") is None


def test_bootstrap_admin_email_is_configurable_and_passwords_differ(make_app):
    app = make_app(BOOTSTRAP_ADMIN_EMAIL="boss@clinic.example")
    with app.app_context():
        output = app.test_cli_runner().invoke(args=["users", "bootstrap-admin"]).output
        assert output.startswith("Admin login: boss@clinic.example\n")
        first_password = output.split("One-time password: ")[1].strip()
        db.session.execute(db.delete(User))
        db.session.commit()
        output = app.test_cli_runner().invoke(args=["users", "bootstrap-admin"]).output
        assert output.split("One-time password: ")[1].strip() != first_password
