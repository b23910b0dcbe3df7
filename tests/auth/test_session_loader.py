"""Flask-Login's loader: one statement finds the live session and its user; revoked, idle,
expired sessions and deactivated accounts still find nobody."""

from __future__ import annotations

from datetime import timedelta

from leads.auth.sessions import begin_session, load_user, revoke_session
from leads.extensions import db
from leads.models import UserSession
from tests.dashboard.querycount import count_queries
from tests.factories import make_user


def _open_session(role: str = "coordinator", **fields) -> tuple[int, str]:
    user = make_user(role=role, **fields)
    token = begin_session(user)
    db.session.commit()
    user_id = user.id
    # A request starts with an empty identity map: nothing may come from this test's session.
    db.session.expunge_all()
    return user_id, token


def test_a_live_session_loads_its_user_in_one_statement(app):
    with app.test_request_context():
        user_id, token = _open_session()
        with count_queries() as statements:
            user = load_user(token)
            assert user.id == user_id and user.active and user.session_token == token
        assert len(statements) == 1, statements


def test_a_revoked_session_loads_nobody(app):
    with app.test_request_context():
        _user_id, token = _open_session()
        revoke_session(token)
        db.session.commit()
        assert load_user(token) is None


def test_a_deactivated_account_loads_nobody(app):
    with app.test_request_context():
        _user_id, token = _open_session(active=False)
        assert load_user(token) is None


def test_an_idle_session_is_revoked_when_next_seen(app):
    with app.test_request_context():
        _user_id, token = _open_session()
        row = db.session.scalar(db.select(UserSession))
        row.last_seen_at -= timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
        db.session.commit()
        assert load_user(token) is None
        db.session.refresh(row)
        assert row.revoked_at is not None


def test_an_unknown_token_loads_nobody(app):
    with app.test_request_context():
        assert load_user("not a token we made") is None
