"""Fixtures for the auth tests: accounts with real Argon2 hashes, a login helper, throttled apps."""

from __future__ import annotations

import re
import uuid

import pytest

from leads.auth.passwords import hash_password
from leads.extensions import db
from tests.factories import make_user

PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_account():
    """A committed user whose password is `password` (default PASSWORD)."""

    def factory(role: str = "coordinator", password: str = PASSWORD, **fields):
        fields.setdefault("password_hash", hash_password(password))
        user = make_user(role=role, **fields)
        db.session.commit()
        return user

    return factory


def login(client, email: str, password: str = PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def make_throttled_app(make_app):
    """An app with login throttling on and counters of its own (a fresh key prefix per test)."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"

    def factory(**overrides):
        return make_app(
            WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=True, RATELIMIT_KEY_PREFIX=prefix, **overrides
        )

    return factory
