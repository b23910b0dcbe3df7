"""The webhook tests' receiver is on loopback: their app allows the private network (the guard
itself is tested in test_address_guard.py, on apps that keep the default)."""

from __future__ import annotations

import pytest

from tests.webhooks.helpers import PRIVATE


@pytest.fixture
def app(make_app):
    app = make_app(env=PRIVATE, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        yield app
