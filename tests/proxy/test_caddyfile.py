"""deploy/Caddyfile parses and says what the stack needs: checked with the real `caddy` binary
(Debian's package, the 2.6 series the compose image is pinned to)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from leads.config import load_settings
from tests.conftest import service_missing
from tests.proxy.stack import CADDYFILE


@pytest.fixture(scope="module")
def caddy_binary() -> str:
    binary = shutil.which("caddy")
    if binary is None:
        service_missing("caddy (apt-get install caddy)")
    return binary


def caddy(binary: str, verb: str, tmp_path, **env: str) -> subprocess.CompletedProcess:
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), **env}
    return subprocess.run(
        [binary, verb, "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def adapted(binary: str, tmp_path, **env: str) -> dict:
    result = caddy(binary, "adapt", tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("site", [None, "clinic.example.org"], ids=["local-http", "domain"])
def test_caddy_validates_the_file(caddy_binary, tmp_path, site):
    env = {"SITE_ADDRESS": site} if site else {}
    result = caddy(caddy_binary, "validate", tmp_path, **env)
    assert result.returncode == 0, result.stderr
    assert "Valid configuration" in result.stdout + result.stderr


def _server(config: dict) -> dict:
    (server,) = config["apps"]["http"]["servers"].values()
    return server


def _handlers(server: dict) -> list[dict]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "handler" in node:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(server["routes"])
    return found


def test_slow_clients_are_cut_off_and_bodies_buffered_and_bounded_like_the_app(caddy_binary, tmp_path):
    server = _server(adapted(caddy_binary, tmp_path))
    seconds = 1_000_000_000
    assert server["read_header_timeout"] <= 15 * seconds
    assert server["read_timeout"] <= 60 * seconds
    app_limit = load_settings({}, instance_path=tmp_path)["MAX_CONTENT_LENGTH"]
    handlers = {handler["handler"]: handler for handler in _handlers(server)}
    proxy = handlers["reverse_proxy"]
    assert proxy["buffer_requests"] is True
    assert proxy["max_buffer_size"] == app_limit
    assert handlers["request_body"]["max_size"] == app_limit
    assert f"> {app_limit}" in json.dumps(server["routes"])  # the 413 for a declared length
    assert proxy["dynamic_upstreams"] == {
        "source": "a",
        "name": "web",
        "port": "8000",
        "refresh": 5 * seconds,
    }
    assert {"gzip", "zstd"} <= set(handlers["encode"]["encodings"])


def test_the_bound_follows_the_apps_setting(caddy_binary, tmp_path):
    server = _server(adapted(caddy_binary, tmp_path, MAX_CONTENT_LENGTH="131072"))
    handlers = {handler["handler"]: handler for handler in _handlers(server)}
    assert handlers["reverse_proxy"]["max_buffer_size"] == 131072
    assert handlers["request_body"]["max_size"] == 131072


def test_a_domain_gets_https_and_the_local_default_plain_http(caddy_binary, tmp_path):
    domain = _server(adapted(caddy_binary, tmp_path, SITE_ADDRESS="clinic.example.org"))
    assert domain["listen"] == [":443"]
    # Automatic HTTPS (certificate and the HTTP→HTTPS redirect) is on unless disabled.
    assert "automatic_https" not in domain
    assert {"host": ["clinic.example.org"]} in domain["routes"][0]["match"]
    local = _server(adapted(caddy_binary, tmp_path))
    assert local["listen"] == [":80"]


def test_no_access_log_keeps_tokens_in_urls_out_of_logs():
    code = "\n".join(line.split("#")[0] for line in CADDYFILE.read_text(encoding="utf-8").splitlines())
    assert not re.search(r"^\s*log\b", code, re.MULTILINE)
