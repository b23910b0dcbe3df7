"""Debian's Chromium driven by Playwright; a missing browser fails in CI and skips elsewhere."""

from __future__ import annotations

import os

import pytest

from tests.conftest import service_missing

# CHROMIUM_PATH points the tests at another build (and lets a test check what a missing one does).
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling home, and this
# machine's closed network refuses each attempt.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        service_missing(f"Chromium ({CHROMIUM}; apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright gives each launch a fresh temporary profile and removes it afterwards.
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def stack(base_env, _schema, tmp_path_factory):
    """gunicorn + worker + beat + SMTP, shared by one module's journeys (see stack.py)."""
    from tests.e2e.stack import running_stack

    with running_stack(base_env, tmp_path_factory.mktemp("stack")) as running:
        yield running
