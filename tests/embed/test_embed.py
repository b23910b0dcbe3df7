"""`/embed/<slug>/`: who may frame it, what it records as the landing page, its answers to bad input."""

from __future__ import annotations

import pytest

from leads.config import ConfigError, load_settings
from leads.extensions import db
from leads.models import Inquiry, Lead
from leads.models.base import utcnow
from tests.factories import SEED_SYMPTOMS, make_article, make_lead, make_user
from tests.helpers import log_in

WP = "https://www.clinic-site.example"


@pytest.fixture
def embed_app(make_app):
    app = make_app(env={"EMBED_ORIGINS": f"{WP}, https://blog.example:8443"}, RATELIMIT_ENABLED=False)
    with app.app_context():
        yield app


def form_data(**changes) -> dict:
    return {
        "full_name": "Test Patient",
        "email": "patient@example.org",
        "preferred_contact": "email",
        "symptoms": [SEED_SYMPTOMS[0]],
        "consent": "y",
        "landing_page": f"{WP}/treatments/knees/?utm_source=x",
    } | changes


def test_the_form_may_be_framed_by_the_allowed_origins_only(embed_app):
    article = make_article()
    db.session.commit()
    response = embed_app.test_client().get(f"/embed/{article.slug}/")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {WP} https://blog.example:8443;" in policy
    assert "script-src 'self';" in policy
    assert "X-Frame-Options" not in response.headers
    page = response.get_data(as_text=True)
    assert 'action="/embed/' in page and "site-header" not in page
    # Every other page still refuses to be framed.
    other = embed_app.test_client().get(f"/{article.slug}/")
    assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"]
    assert other.headers["X-Frame-Options"] == "DENY"


def test_an_inquiry_from_the_frame_is_stored_with_the_parent_page_then_thanks_in_the_frame(embed_app):
    article = make_article()
    db.session.commit()
    client = embed_app.test_client()
    # No session cookie reaches a cross-site frame: the post carries no CSRF token.
    response = client.post(f"/embed/{article.slug}/", data=form_data())
    assert response.status_code == 303
    assert response.headers["Location"] == f"/embed/{article.slug}/thanks"
    thanks = client.get(response.headers["Location"])
    assert "Thank you" in thanks.get_data(as_text=True)
    assert f"frame-ancestors 'self' {WP}" in thanks.headers["Content-Security-Policy"]
    [inquiry] = db.session.scalars(db.select(Inquiry)).all()
    assert inquiry.landing_page == f"{WP}/treatments/knees/?utm_source=x"


def test_the_frame_does_not_say_that_an_address_had_unsubscribed(embed_app):
    """Anyone can post any address: the thanks page must not reveal that its owner once said stop."""
    lead = make_lead(email="patient@example.org", unsubscribed_at=utcnow())
    article = make_article()
    db.session.commit()
    client = embed_app.test_client()
    response = client.post(f"/embed/{article.slug}/", data=form_data())
    assert response.headers["Location"] == f"/embed/{article.slug}/thanks"
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).unsubscribed_at is None
    for page in (
        client.get(response.headers["Location"]),
        client.get(response.headers["Location"] + "?resubscribed=1"),
    ):
        assert "stop emailing" not in page.get_data(as_text=True)


def test_a_landing_page_of_another_origin_is_not_recorded(embed_app):
    article = make_article()
    db.session.commit()
    embed_app.test_client().post(
        f"/embed/{article.slug}/", data=form_data(landing_page="https://evil.example/page")
    )
    [inquiry] = db.session.scalars(db.select(Inquiry)).all()
    assert inquiry.landing_page is None


def test_the_referrer_of_an_allowed_origin_is_the_first_landing_page(embed_app):
    article = make_article()
    db.session.commit()
    client = embed_app.test_client()
    page = client.get(f"/embed/{article.slug}/", headers={"Referer": f"{WP}/"}).get_data(as_text=True)
    assert f'name="landing_page" type="hidden" value="{WP}/"' in page
    page = client.get(f"/embed/{article.slug}/", headers={"Referer": "https://evil.example/"}).get_data(
        as_text=True
    )
    assert 'name="landing_page" type="hidden" value=""' in page


def test_mistakes_come_back_inside_the_frame(embed_app):
    article = make_article()
    db.session.commit()
    response = embed_app.test_client().post(f"/embed/{article.slug}/", data=form_data(email="nope"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "valid email address" in page and 'action="/embed/' in page
    assert db.session.scalars(db.select(Inquiry)).all() == []


def test_unknown_and_unpublished_articles(embed_app):
    from leads.models.base import utcnow

    article = make_article(unpublished_at=utcnow())
    db.session.commit()
    client = embed_app.test_client()
    assert client.get("/embed/no-such-article/").status_code == 404
    assert client.get(f"/embed/{article.slug}/").status_code == 410
    assert client.post(f"/embed/{article.slug}/", data=form_data()).status_code == 410


def test_the_dashboard_gives_the_snippet(embed_app):
    article = make_article()
    db.session.commit()
    client = embed_app.test_client()
    log_in(client, make_user())
    page = client.get("/dashboard/wordpress/").get_data(as_text=True)
    assert f"&lt;iframe data-clinic-embed src=&#34;http://clinic.test/embed/{article.slug}/&#34;" in page
    assert "&lt;script src=&#34;http://clinic.test/static/js/embed.js&#34; async&gt;" in page


@pytest.mark.parametrize("value", ["www.example.com", "https://example.com/page", "ftp://example.com"])
def test_embed_origins_must_be_origins(value, tmp_path):
    with pytest.raises(ConfigError, match="EMBED_ORIGINS must be origins"):
        load_settings({"INSTANCE_PATH": str(tmp_path), "EMBED_ORIGINS": value})


def test_the_snippet_escapes_the_title(embed_app):
    from leads.embed.snippet import embed_snippet

    article = make_article(title='Knees "and" <hips>')
    with embed_app.test_request_context():
        snippet = embed_snippet(article)
    assert 'title="Ask about Knees &#34;and&#34; &lt;hips&gt;"' in snippet
