"""Production needs Redis (shared throttling) and an https PUBLIC_BASE_URL; links never follow Host."""

from __future__ import annotations

import pytest

from leads.config import ConfigError, load_settings
from leads.extensions import db
from tests.factories import make_article
from tests.helpers import PRODUCTION_CLINIC, PRODUCTION_SERVICES

PRODUCTION = {**PRODUCTION_SERVICES, **PRODUCTION_CLINIC}
HOSTILE = {"Host": "evil.example"}


def test_a_complete_production_environment_loads(tmp_path):
    settings = load_settings(PRODUCTION, instance_path=tmp_path)
    assert settings["PUBLIC_BASE_URL"] == "https://clinic.example"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"REDIS_URL": ""}, "APP_ENV=production needs REDIS_URL"),
        ({"PUBLIC_BASE_URL": ""}, "APP_ENV=production needs PUBLIC_BASE_URL"),
        ({"PUBLIC_BASE_URL": "clinic.example"}, "APP_ENV=production needs PUBLIC_BASE_URL"),
        ({"PUBLIC_BASE_URL": "http://clinic.example"}, "PUBLIC_BASE_URL must start with https://"),
    ],
)
def test_production_refuses_to_start_with_one_line(tmp_path, change, reason):
    with pytest.raises(ConfigError) as caught:
        load_settings({**PRODUCTION, **change}, instance_path=tmp_path)
    message = str(caught.value)
    assert message.startswith(reason)
    assert "\n" not in message


def test_plain_http_is_allowed_on_loopback_only(tmp_path):
    # Browsers treat localhost as a secure context: a compose stack tried on one machine works.
    settings = load_settings(
        {**PRODUCTION, "PUBLIC_BASE_URL": "http://localhost:8000"}, instance_path=tmp_path
    )
    assert settings["PUBLIC_BASE_URL"] == "http://localhost:8000"


def test_the_canonical_link_ignores_a_hostile_host_header(make_app):
    for base in ("https://clinic.example", ""):
        app = make_app({"PUBLIC_BASE_URL": base, "HOST": "127.0.0.1", "PORT": "5140"})
        with app.app_context():
            article = make_article(slug=f"knee-{len(base)}")
            db.session.commit()
            html = app.test_client().get(f"/{article.slug}/", headers=HOSTILE).get_data(as_text=True)
        assert "evil.example" not in html
        expected = base or "http://127.0.0.1:5140"
        assert f'<link rel="canonical" href="{expected}/{article.slug}/">' in html


def test_redirects_ignore_a_hostile_host_header(make_app):
    app = make_app({"PUBLIC_BASE_URL": "https://clinic.example"})
    client = app.test_client()
    # Werkzeug's trailing-slash redirect builds an absolute URL from the Host header.
    response = client.get("/dashboard", headers=HOSTILE)
    assert response.status_code in {301, 308}
    assert response.headers["Location"] == "https://clinic.example/dashboard/"
    response = client.get("/dashboard/", headers=HOSTILE)
    assert "evil.example" not in response.headers["Location"]


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        (
            "CLINIC_TIMEZONE",
            "Mars/Olympus_Mons",
            "CLINIC_TIMEZONE must be a time zone name like Europe/London",
        ),
        ("CLINIC_TIMEZONE", "../etc/passwd", "CLINIC_TIMEZONE must be a time zone name"),
        (
            "LOGIN_LIMIT_PER_ACCOUNT_AND_IP",
            "five",
            'LOGIN_LIMIT_PER_ACCOUNT_AND_IP must be a limit like "5 per 15',
        ),
        ("LOGIN_LIMIT_PER_ACCOUNT", "5 per fortnight", "LOGIN_LIMIT_PER_ACCOUNT must be a limit"),
        ("LOGIN_LIMIT_PER_IP", "20 every 15 minutes", "LOGIN_LIMIT_PER_IP must be a limit"),
    ],
)
def test_settings_used_late_are_checked_at_start_up(tmp_path, name, value, reason):
    # These used to fail only on the first page with a due date or the first failed login.
    with pytest.raises(ConfigError) as caught:
        load_settings({name: value}, instance_path=tmp_path)
    assert str(caught.value).startswith(reason)
    assert "\n" not in str(caught.value)


def test_good_time_zones_and_limits_load(tmp_path):
    settings = load_settings(
        {"CLINIC_TIMEZONE": "Europe/London", "LOGIN_LIMIT_PER_IP": "10 per hour"}, instance_path=tmp_path
    )
    assert (settings["CLINIC_TIMEZONE"], settings["LOGIN_LIMIT_PER_IP"]) == ("Europe/London", "10 per hour")
