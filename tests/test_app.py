"""The application starts from the environment, with embedded defaults."""

import pytest
from flask import request

from leads import create_app
from leads.config import ConfigError, load_settings


def test_nothing_set_gives_sqlite_under_instance_and_a_kept_secret(tmp_path):
    settings = load_settings({}, instance_path=tmp_path)
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'leads.sqlite'}"
    assert settings["CELERY_BROKER_URL"].startswith("sqla+sqlite:///")
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"
    again = load_settings({}, instance_path=tmp_path)
    assert settings["SECRET_KEY"] == again["SECRET_KEY"]
    assert len(settings["SECRET_KEY"]) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_database_url_switches_to_psycopg3(tmp_path):
    settings = load_settings({"DATABASE_URL": "postgres://u@h/db"}, instance_path=tmp_path)
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"APP_ENV": "production"}, "SECRET_KEY and DATABASE_URL"),
        ({"APP_ENV": "production", "SECRET_KEY": "x" * 40}, "DATABASE_URL"),
        ({"APP_ENV": "production", "DATABASE_URL": "postgresql://h/db"}, "SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_without_secrets(tmp_path, env, missing):
    with pytest.raises(ConfigError) as caught:
        create_app(env={**env, "INSTANCE_PATH": str(tmp_path)})
    message = str(caught.value)
    assert "\n" not in message
    assert message.endswith(f"needs {missing} set in the environment")


def test_production_cookies_are_strict(tmp_path):
    settings = load_settings(
        {"APP_ENV": "production", "SECRET_KEY": "x" * 40, "DATABASE_URL": "postgresql://h/db"},
        instance_path=tmp_path,
    )
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_bad_number_setting_is_one_clear_line(tmp_path):
    with pytest.raises(ConfigError, match="QUESTIONNAIRE_DELAY_SECONDS must be a whole number"):
        load_settings({"QUESTIONNAIRE_DELAY_SECONDS": "soon"}, instance_path=tmp_path)


def test_health_route_pings_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_every_response_has_a_strict_csp(client):
    response = client.get("/healthz")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "script-src 'self'" in csp


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page/here")
    assert response.status_code == 404
    assert b"Page not found" in response.data


def _client_address(app, headers):
    """The address the app sees for a request from 10.0.0.1 carrying `headers`."""
    seen = []

    def address():
        seen.append(request.remote_addr)
        return ""

    app.add_url_rule("/_address", "address", address)
    app.test_client().get("/_address", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    return seen[0]


def test_forwarded_for_is_ignored_without_trusted_proxies(make_app):
    app = make_app()
    assert _client_address(app, {"X-Forwarded-For": "203.0.113.9"}) == "10.0.0.1"


def test_forwarded_for_is_used_behind_a_trusted_proxy(make_app):
    app = make_app(env={"TRUSTED_PROXY_COUNT": "1"})
    assert _client_address(app, {"X-Forwarded-For": "203.0.113.9"}) == "203.0.113.9"
