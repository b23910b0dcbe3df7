"""The application starts from the environment, with embedded defaults."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import request

from leads import create_app
from leads.config import PROJECT_ROOT, ConfigError, load_settings
from tests.factories import make_lead
from tests.helpers import PRODUCTION_CLINIC

BIN = Path(sys.executable).parent


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


@pytest.mark.parametrize(
    "command",
    [
        [str(BIN / "flask"), "--app", "app", "run", "--port", "0"],
        [str(BIN / "flask"), "--app", "app", "db", "upgrade"],
        [str(BIN / "gunicorn"), "--bind", "127.0.0.1:0", "app:create_app()"],
        [str(BIN / "celery"), "-A", "app:celery_app", "worker"],
    ],
    ids=["flask-run", "flask-db-upgrade", "gunicorn", "celery"],
)
def test_production_start_without_secrets_prints_one_line(tmp_path, command):
    env = {"PATH": os.environ["PATH"], "APP_ENV": "production", "INSTANCE_PATH": str(tmp_path)}
    result = subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    reasons = [line for line in output.splitlines() if "SECRET_KEY" in line]
    assert reasons == ["Error: APP_ENV=production needs SECRET_KEY and DATABASE_URL set in the environment"]


def test_production_cookies_are_strict(tmp_path):
    settings = load_settings(
        {
            "APP_ENV": "production",
            "SECRET_KEY": "x" * 40,
            "DATABASE_URL": "postgresql://h/db",
            **PRODUCTION_CLINIC,
            "REDIS_URL": "redis://redis:6379/0",
            "PUBLIC_BASE_URL": "https://clinic.example",
        },
        instance_path=tmp_path,
    )
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_bad_number_setting_is_one_clear_line(tmp_path):
    with pytest.raises(ConfigError, match="QUESTIONNAIRE_DELAY_SECONDS must be a whole number"):
        load_settings({"QUESTIONNAIRE_DELAY_SECONDS": "soon"}, instance_path=tmp_path)


def test_an_unexpected_database_error_is_logged_without_the_values(make_app, caplog):
    app = make_app()

    def duplicate():
        # The values come from the request, so the traceback's source lines cannot show them.
        make_lead(email=request.args["email"])
        make_lead(email=request.args["email"], full_name=request.args["name"])
        return ""

    app.add_url_rule("/_duplicate", "duplicate", duplicate)
    with caplog.at_level(logging.ERROR, logger="leads.errors"):
        response = app.test_client().get(
            "/_duplicate", query_string={"email": "private.person@example.com", "name": "Private Person"}
        )

    assert response.status_code == 500
    assert "IntegrityError" in caplog.text
    assert "in duplicate" in caplog.text  # the frames are kept
    # Neither the statement's parameters nor PostgreSQL's DETAIL line reach the log.
    assert "private.person" not in caplog.text
    assert "Private Person" not in caplog.text


def test_health_route_answers_ok(client):
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
