"""The expected reply time is worded by one helper, from the settings the dashboard's due times use."""

from __future__ import annotations

import pytest

from leads.reply_time import contact_method, reply_time, urgent_reply_time


@pytest.mark.parametrize(
    ("days", "phrase"),
    [(1, "within one working day"), (2, "within two working days"), (7, "within 7 working days")],
)
def test_reply_time(make_app, days, phrase):
    with make_app(FIRST_RESPONSE_BUSINESS_DAYS=days).app_context():
        assert reply_time() == phrase


@pytest.mark.parametrize(
    ("minutes", "phrase"),
    [(60, "within an hour"), (120, "within two hours"), (30, "within 30 minutes"), (90, "within 90 minutes")],
)
def test_urgent_reply_time(make_app, minutes, phrase):
    with make_app(URGENT_RESPONSE_MINUTES=minutes).app_context():
        assert urgent_reply_time() == phrase


def test_contact_method():
    assert (contact_method("phone"), contact_method("email"), contact_method(None)) == (
        "by phone",
        "by email",
        "by email",
    )


def test_the_form_and_the_thanks_pages_use_the_same_words(make_app):
    """Before, the form said "1 business day", the questionnaire "one working day", the email "soon"."""
    from tests.factories import make_article

    app = make_app(FIRST_RESPONSE_BUSINESS_DAYS=2, RATELIMIT_ENABLED=False)
    with app.app_context():
        from leads.extensions import db

        article = make_article()
        db.session.commit()
        page = app.test_client().get(f"/{article.slug}/").text
    assert "A care coordinator will reply within two working days." in page
