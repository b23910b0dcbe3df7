"""docker-compose.yml is valid and wires every service the app needs with the app's own setting names.

No Docker engine runs here; Debian's `docker-compose` validates the file without one.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from leads.config import PROJECT_ROOT, load_settings
from tests.conftest import service_missing

COMPOSE = PROJECT_ROOT / "docker-compose.yml"
APP_SERVICES = ("migrate", "web", "worker", "scheduler")
# Read by the server around the app, not by leads/config.py.
SERVER_SETTINGS = {"web": {"WEB_CONCURRENCY"}}
# Placeholders for the secrets the file demands (`${VAR:?…}`), never real values.
COMPOSE_ENV = {
    "SECRET_KEY": "placeholder-secret",
    "POSTGRES_PASSWORD": "placeholder-password",
    "CLINIC_ADDRESS": "1 Example Street; Springfield",
    "CLINIC_PHONE": "+1 555 000 1234",
    "PRIVACY_NOTICE_URL": "https://clinic.example/privacy",
}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def setting_names() -> set[str]:
    """Every environment name leads/config.py reads (`env.get("X"`, `_int(env, "X"`, …)."""
    source = (PROJECT_ROOT / "leads" / "config.py").read_text(encoding="utf-8")
    names = set(re.findall(r"""env\.get\(\s*["']([A-Z][A-Z0-9_]*)["']""", source))
    names |= set(re.findall(r"""_\w+\(\s*env\s*,\s*["']([A-Z][A-Z0-9_]*)["']""", source))
    return names


def test_setting_names_are_found():
    names = setting_names()
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "APP_ENV", "MAIL_SERVER", "MAIL_PORT"} <= names
    assert {"QUESTIONNAIRE_DELAY_SECONDS", "REMINDER_DAYS", "COORDINATOR_EMAILS"} <= names


def _service(compose: dict, *candidates: str) -> dict:
    services = compose["services"]
    found = [services[name] for name in candidates if name in services]
    assert found, f"none of {candidates} in docker-compose.yml"
    return found[0]


@pytest.mark.parametrize(
    "names",
    [("web",), ("worker",), ("scheduler",), ("db", "postgres"), ("redis",), ("mailpit", "mail")],
    ids=lambda names: names[0],
)
def test_every_needed_service_has_a_healthcheck(compose, names):
    service = _service(compose, *names)
    check = service.get("healthcheck")
    assert check and check.get("test"), f"{names[0]} has no healthcheck"


def test_backing_services_use_the_intended_images(compose):
    assert _service(compose, "db", "postgres")["image"].startswith("postgres:16")
    assert _service(compose, "redis")["image"].startswith("redis:7")
    assert "mailpit" in _service(compose, "mailpit", "mail")["image"]


def test_app_services_share_the_anchor_and_wait_for_healthy_dependencies(compose):
    assert "x-app" in compose
    shared = compose["x-app"]["environment"]
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert {key: service["environment"].get(key) for key in shared} == shared, name
        assert set(service["environment"]) - set(shared) <= SERVER_SETTINGS.get(name, set()), name
        conditions = service["depends_on"]
        assert {"db", "redis", "mailpit"} <= set(conditions), name
        assert all(conditions[dep]["condition"] == "service_healthy" for dep in ("db", "redis", "mailpit"))
    assert "gunicorn" in (PROJECT_ROOT / "boot.sh").read_text()
    assert "/readyz" in (PROJECT_ROOT / "scripts" / "healthcheck.py").read_text()


def test_app_environment_names_are_settings(compose):
    known = setting_names()
    for name in APP_SERVICES:
        unknown = set(compose["services"][name]["environment"]) - known - SERVER_SETTINGS.get(name, set())
        assert unknown == set(), f"{name} sets names leads/config.py never reads: {sorted(unknown)}"


def _interpolate(value: str) -> str:
    """Resolve `${VAR}`, `${VAR:-default}` and `${VAR:?message}` as compose would, with COMPOSE_ENV."""

    def resolve(match: re.Match) -> str:
        name, operator, rest = match.group(1), match.group(2) or "", match.group(3) or ""
        if name in COMPOSE_ENV:
            return COMPOSE_ENV[name]
        return rest if operator.endswith("-") else ""

    return re.sub(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}", resolve, value)


def test_app_environment_loads_as_production_settings(compose, tmp_path):
    """The compose environment, with placeholders filled in, is a configuration the app accepts."""
    env = {key: _interpolate(str(value)) for key, value in compose["x-app"]["environment"].items()}
    settings = load_settings(env, instance_path=tmp_path)
    assert settings["PRODUCTION"] is True
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith(
        "postgresql+psycopg://leads:placeholder-password@db"
    )
    assert settings["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert settings["MAIL_SERVER"] == "mailpit" and settings["MAIL_PORT"] == 1025


def test_secrets_are_never_in_the_file():
    text = COMPOSE.read_text(encoding="utf-8")
    assert re.search(r"SECRET_KEY:\s*\$\{SECRET_KEY:\?", text), "SECRET_KEY must come from the environment"
    assert "placeholder" not in text
    example = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    assert re.search(r"^SECRET_KEY=$", example, re.MULTILINE), ".env.example must leave SECRET_KEY empty"
    assert ".env" in (PROJECT_ROOT / ".gitignore").read_text().split()


def test_dockerfile_is_slim_and_non_root():
    text = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim", text, re.MULTILINE)
    assert re.search(r"^USER (?!root)\w+", text, re.MULTILINE)
    assert "requirements.txt" in text


def test_docker_compose_config_validates(tmp_path):
    binary = shutil.which("docker-compose")
    if binary is None:
        service_missing("docker-compose (apt-get install docker-compose)")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **COMPOSE_ENV}
    result = subprocess.run(
        [binary, "-f", str(COMPOSE), "config", "-q"],
        cwd=tmp_path,  # no stray .env from the working tree
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # Without the secrets compose must refuse, not start with empty ones.
    missing = subprocess.run(
        [binary, "-f", str(COMPOSE), "config", "-q"],
        cwd=tmp_path,
        env={"PATH": env["PATH"], "HOME": env["HOME"]},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert missing.returncode != 0
    assert "SECRET_KEY" in missing.stderr or "POSTGRES_PASSWORD" in missing.stderr


LONG_RUNNING = ("proxy", "web", "worker", "scheduler", "db", "redis", "mailpit")
SCALED = ("web", "worker")


def test_every_long_running_service_restarts_by_itself(compose):
    for name in LONG_RUNNING:
        assert compose["services"][name].get("restart") in {"unless-stopped", "always"}, name


def test_only_the_proxy_publishes_ports_to_the_network(compose):
    proxy = compose["services"]["proxy"]
    assert proxy["image"].startswith("caddy:2.6"), "tests/proxy/ checks the file with Caddy 2.6"
    assert {port.rsplit(":", 1)[-1] for port in map(_interpolate, proxy["ports"])} == {"80", "443"}
    for name, service in compose["services"].items():
        if name == "proxy":
            continue
        for port in service.get("ports", []):
            # The mail catcher's inbox may be reachable from this machine, never beyond it.
            assert _interpolate(str(port)).startswith("127.0.0.1:"), f"{name} publishes {port}"


def test_scaled_services_have_no_fixed_name_or_host_port(compose):
    for name in SCALED:
        service = compose["services"][name]
        assert "container_name" not in service, name
        assert "ports" not in service, name


def test_the_proxy_runs_the_tested_caddyfile_with_the_apps_body_bound(compose):
    proxy = compose["services"]["proxy"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    # Not service_healthy: an overdue outbox turns /readyz red and must not keep the site down.
    assert proxy["depends_on"]["web"]["condition"] == "service_started"
    app_env = compose["x-app"]["environment"]
    assert proxy["environment"]["MAX_CONTENT_LENGTH"] == app_env["MAX_CONTENT_LENGTH"]
    assert _interpolate(app_env["TRUSTED_PROXY_COUNT"]) == "1"
    assert _interpolate(proxy["environment"]["SITE_ADDRESS"]) == ":80"


def test_health_checks_use_the_apps_health_routes(compose):
    web_check = compose["services"]["web"]["healthcheck"]["test"]
    assert web_check[-1] == "web"
    source = (PROJECT_ROOT / "scripts" / "healthcheck.py").read_text(encoding="utf-8")
    assert re.search(r"def web\(\).*?/readyz", source, re.DOTALL), "web's check must ask /readyz"


def test_migrations_run_once_before_any_app_service(compose):
    services = compose["services"]
    assert services["migrate"]["command"] == ["./boot.sh", "release"]
    assert services["migrate"]["restart"] == "no"
    assert services["web"]["command"] == ["./boot.sh", "serve"]
    once = {"condition": "service_completed_successfully"}
    for name in ("web", "worker", "scheduler"):
        assert services[name]["depends_on"]["migrate"] == once, name
