"""Without Chromium the browser tests fail under CI=true (like every service test) and skip elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from leads.config import PROJECT_ROOT

pytestmark = pytest.mark.slow

ONE_BROWSER_TEST = (
    "tests/e2e/test_browser.py::test_article_page_loads_without_csp_violations_or_console_errors"
)


def run_without_chromium(ci: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CI": ci, "CHROMIUM_PATH": "/nonexistent/chromium"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", ONE_BROWSER_TEST, "-q", "-p", "no:cacheprovider", "-rA"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_missing_chromium_fails_in_ci():
    result = run_without_chromium("true")
    assert result.returncode != 0, result.stdout
    assert "Chromium (/nonexistent/chromium; apt-get install chromium) is required in CI" in result.stdout
    assert "skipped" not in result.stdout.splitlines()[-1]


def test_missing_chromium_skips_outside_ci():
    result = run_without_chromium("")
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout.splitlines()[-1]
