"""Rotating SECRET_KEY: with the old key in SECRET_KEY_FALLBACKS, everything signed before the
rotation (links in emails, device cookies, sessions, open forms) still works; a key nobody
configured is refused, and new signatures use the new key only."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import Response
from itsdangerous import BadSignature

from leads.auth.devices import remember_device, trusted_device
from leads.auth.passwords import hash_password
from leads.config import load_settings
from leads.extensions import db
from leads.links import QUESTIONNAIRE, UNSUBSCRIBE
from leads.tokens import TokenInvalid, make_token, read_token
from tests.auth.conftest import PASSWORD, csrf_token_from, login
from tests.factories import make_user
from tests.questionnaire.conftest import make_scheduled_inquiry

OLD, NEW, UNKNOWN = "old-key-" + "o" * 40, "new-key-" + "n" * 40, "unknown-key-" + "u" * 40


@pytest.fixture
def apps(make_app):
    """The app before the rotation, after it (old key kept as a fallback), and one with a stranger's key."""

    def build(key: str, fallbacks: str = ""):
        env = {"SECRET_KEY": key, "SECRET_KEY_FALLBACKS": fallbacks}
        return make_app(env=env, RATELIMIT_ENABLED=False)

    return build(OLD), build(NEW, f"{UNKNOWN[:4]}-retired, {OLD}"), build(UNKNOWN)


def test_fallbacks_are_a_comma_separated_list():
    settings = load_settings({"SECRET_KEY": NEW, "SECRET_KEY_FALLBACKS": f" {OLD} , older "})
    assert settings["SECRET_KEY_FALLBACKS"] == [OLD, "older"]
    assert load_settings({"SECRET_KEY": NEW})["SECRET_KEY_FALLBACKS"] == []


def test_links_signed_with_the_old_key_still_open(apps):
    old, new, stranger = apps
    with old.app_context():
        inquiry = make_scheduled_inquiry()
        links = [
            f"/q/{make_token(QUESTIONNAIRE, inquiry.id)}",
            f"/unsubscribe/{make_token(UNSUBSCRIBE, inquiry.lead_id)}",
        ]
    with stranger.app_context():
        forged = [
            f"/q/{make_token(QUESTIONNAIRE, inquiry.id)}",
            f"/unsubscribe/{make_token(UNSUBSCRIBE, inquiry.lead_id)}",
        ]

    client = new.test_client()
    assert [client.get(link).status_code for link in links] == [200, 200]
    assert [client.get(link).status_code for link in forged] == [404, 404]


def test_new_links_are_signed_with_the_new_key(apps):
    old, new, _ = apps
    with new.app_context():
        token = make_token(QUESTIONNAIRE, 7)
    new.config["SECRET_KEY_FALLBACKS"] = []
    with new.app_context():
        assert read_token(QUESTIONNAIRE, token, 60) == 7
    with old.app_context(), pytest.raises(TokenInvalid):
        read_token(QUESTIONNAIRE, token, 60)


def _account(email: str) -> SimpleNamespace:
    """What the device cookie reads of an account: its email, state and revocation generation."""
    return SimpleNamespace(email=email, active=True, device_generation=0)


def _device_cookie(app, email: str) -> str:
    with app.test_request_context():
        response = remember_device(Response(), _account(email))
    header = response.headers["Set-Cookie"]
    return header.split(";", 1)[0].split("=", 1)[1]


def _device_seen_by(app, email: str, cookie: str) -> str | None:
    with app.test_request_context(headers={"Cookie": f"login-device={cookie}"}):
        return trusted_device(_account(email))


def test_device_cookie_from_before_the_rotation_is_still_trusted(apps):
    old, new, stranger = apps
    email = "cora@clinic.example"
    assert _device_seen_by(new, email, _device_cookie(old, email)) is not None
    assert _device_seen_by(new, email, _device_cookie(stranger, email)) is None


def test_a_session_and_an_open_form_survive_the_rotation(apps):
    old, new, stranger = apps
    for app in apps:
        app.config["WTF_CSRF_ENABLED"] = True
    with old.app_context():
        user = make_user(role="admin", password_hash=hash_password(PASSWORD))
        db.session.commit()
        email = user.email
    before = old.test_client()
    form_token = csrf_token_from(before.get("/login").get_data(as_text=True))
    assert login(before, email, csrf_token=form_token).status_code == 302
    # A second tab: the login form was loaded before the rotation and is sent after it.
    tab = old.test_client()
    tab_token = csrf_token_from(tab.get("/login").get_data(as_text=True))

    after, forged = new.test_client(), stranger.test_client()
    for client in (after, forged):
        client.set_cookie("session", before.get_cookie("session").value)
    assert after.get("/dashboard/").status_code == 200
    assert forged.get("/dashboard/").status_code == 302

    tab_after = new.test_client()
    tab_after.set_cookie("session", tab.get_cookie("session").value)
    assert login(tab_after, email, csrf_token=tab_token).status_code == 302


def test_the_session_serializer_is_built_once_and_again_after_a_rotation(apps):
    old, new, _ = apps
    interface = new.session_interface
    built = interface.get_signing_serializer(new)
    assert interface.get_signing_serializer(new) is built  # not rebuilt for every open and save
    with old.test_request_context():
        cookie = old.session_interface.get_signing_serializer(old).dumps({"k": 1})
    assert built.loads(cookie) == {"k": 1}
    # The old key dropped on the running app: the next request's serializer no longer accepts it.
    new.config["SECRET_KEY_FALLBACKS"] = []
    rebuilt = interface.get_signing_serializer(new)
    assert rebuilt is not built
    with pytest.raises(BadSignature):
        rebuilt.loads(cookie)
