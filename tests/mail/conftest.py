from __future__ import annotations

import pytest


@pytest.fixture
def smtp_app(make_app, smtp):
    """An app that sends to the test SMTP server, with short retry delays."""
    app = make_app(
        env=smtp.env,
        EMAIL_RETRY_BASE_SECONDS=1,
        EMAIL_RETRY_MAX_SECONDS=2,
        COORDINATOR_EMAILS=["coordinator@clinic.example"],
    )
    with app.app_context():
        yield app
