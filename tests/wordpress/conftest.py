"""A fake WordPress per test, and a sync against it (loopback, so the private network is allowed)."""

from __future__ import annotations

import pytest

from leads.wordpress.client import SiteOptions
from leads.wordpress.sync import run_sync
from tests.wordpress.fakewp import FakeWordPress


@pytest.fixture
def wp():
    fake = FakeWordPress().start()
    yield fake
    fake.stop()


@pytest.fixture
def sync(app, wp):
    """Run one sync; two posts a page, so three posts take two pages."""

    def run(**changes):
        values = {"site_url": wp.url, "per_page": 2, "timeout": 5, "allow_private_network": True}
        return run_sync(SiteOptions(**(values | changes)))

    return run
