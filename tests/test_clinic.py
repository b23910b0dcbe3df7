"""Who the clinic is: settings required in production, the footer of every page, the privacy
notice (and the consent checkbox's link to it), robots.txt and the favicon."""

from __future__ import annotations

import pytest

from leads.config import ConfigError, load_settings
from leads.extensions import db
from tests.factories import make_article
from tests.helpers import PRODUCTION_CLINIC, PRODUCTION_SERVICES


@pytest.mark.parametrize("name", [*PRODUCTION_CLINIC])
def test_production_needs_each_clinic_detail(tmp_path, name):
    env = {**PRODUCTION_SERVICES, **PRODUCTION_CLINIC, name: ""}
    with pytest.raises(ConfigError) as caught:
        load_settings(env, instance_path=tmp_path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith("APP_ENV=production needs ")
    assert name in message


def test_production_accepts_a_privacy_notice_file_instead_of_a_url(tmp_path):
    notice = tmp_path / "privacy.txt"
    notice.write_text("We keep your details.\n\nAsk us to erase them.\n")
    env = {
        **PRODUCTION_SERVICES,
        **PRODUCTION_CLINIC,
        "PRIVACY_NOTICE_URL": "",
        "PRIVACY_NOTICE_FILE": str(notice),
    }
    assert load_settings(env, instance_path=tmp_path)["PRIVACY_NOTICE_FILE"] == str(notice)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PRIVACY_NOTICE_FILE": "/nonexistent/privacy.txt"}, "is not a readable file"),
        ({"PRIVACY_NOTICE_URL": "javascript:alert(1)"}, "must be an http(s) address"),
    ],
)
def test_a_privacy_notice_that_cannot_be_served_is_refused_everywhere(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings(env, instance_path=tmp_path)


@pytest.fixture
def clinic_app(make_app, tmp_path):
    notice = tmp_path / "privacy.txt"
    notice.write_text("We keep the details you send us <safely>.\n\nYou can ask us to erase them.\n")
    return make_app(
        CLINIC_NAME="Example Clinic",
        CLINIC_ADDRESS="1 Example Street; Springfield 12345",
        CLINIC_PHONE="+1 555 010 0000",
        PRIVACY_NOTICE_FILE=str(notice),
    )


def test_every_page_shows_the_clinic_and_the_form_links_the_privacy_notice(clinic_app):
    client = clinic_app.test_client()
    with clinic_app.app_context():
        article = make_article()
        db.session.commit()
        slug = article.slug
    for path, status in ((f"/{slug}/", 200), ("/login", 200), ("/privacy/", 200), ("/no-such-article/", 404)):
        response = client.get(path)
        assert response.status_code == status, path
        page = response.get_data(as_text=True)
        assert "Example Clinic" in page and "1 Example Street<br>Springfield 12345" in page, path
        assert 'href="tel:+15550100000"' in page and 'href="/privacy/">Privacy notice' in page, path
    form = client.get(f"/{slug}/").get_data(as_text=True)
    # The checkbox is described by the line that links the notice (read out with it).
    assert 'aria-describedby="consent-hint"' in form
    hint = form[form.index('id="consent-hint"') :]
    assert 'href="/privacy/">our privacy notice</a>' in hint[: hint.index("</p>")]


def test_privacy_notice_from_a_file(clinic_app):
    response = clinic_app.test_client().get("/privacy/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<p>We keep the details you send us &lt;safely&gt;.</p>" in page
    assert "<p>You can ask us to erase them.</p>" in page


def test_privacy_notice_url_is_linked_and_redirected_to(make_app):
    app = make_app(PRIVACY_NOTICE_URL="https://clinic.example/privacy")
    client = app.test_client()
    assert client.get("/privacy/").headers["Location"] == "https://clinic.example/privacy"
    assert 'href="https://clinic.example/privacy"' in client.get("/login").get_data(as_text=True)


def test_robots_and_favicon_are_not_article_slugs(app, client):
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots.mimetype == "text/plain"
    assert "Disallow: /dashboard/" in robots.get_data(as_text=True)
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/vnd.microsoft.icon"
        assert icon.get_data()[:4] == b"\x00\x00\x01\x00"  # an ICO file's signature
