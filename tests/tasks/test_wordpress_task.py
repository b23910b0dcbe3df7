"""The WordPress sync on schedule: a real `celery beat` publishes it, a real worker runs it."""

from __future__ import annotations

import subprocess
import time

import pytest

from leads.config import PROJECT_ROOT
from leads.extensions import db
from leads.models import Article, WordPressSync
from tests.processes import CELERY, Worker
from tests.wordpress.fakewp import FakeWordPress

pytestmark = pytest.mark.slow


@pytest.fixture
def wp():
    fake = FakeWordPress().start()
    yield fake
    fake.stop()


def wait_for(check, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("timed out")


@pytest.mark.timeout(300)
def test_beat_syncs_every_wp_sync_minutes(worker_app, worker_env, wp, tmp_path):
    env = {
        **worker_env,
        "WP_SITE_URL": wp.url,
        "WP_SYNC_MINUTES": "0.05",  # every 3 seconds
        "WP_SYNC_PER_PAGE": "2",
        "WP_SYNC_ALLOW_PRIVATE_NETWORK": "true",
    }
    worker = Worker(env, tmp_path / "worker.log", "wp", 1)
    beat_log = (tmp_path / "beat.log").open("wb")
    beat = subprocess.Popen(
        [CELERY, "-A", "app:celery_app", "beat", "-s", str(tmp_path / "schedule"), "--loglevel", "INFO"],
        cwd=PROJECT_ROOT, env=env, stdout=beat_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        worker.wait_ready()
        wait_for(lambda: db.session.scalar(db.select(db.func.count()).select_from(Article)) == 3)
        first = wait_for(lambda: db.session.scalar(db.select(WordPressSync.last_success_at)))
        wp.edit(101, title={"rendered": "Edited on the site"})
        wp.unpublish(102)
        # Nobody asks: the next scheduled run applies both.
        wait_for(
            lambda: db.session.scalar(db.select(Article.title).filter_by(wp_id=101)) == "Edited on the site"
        )
        wait_for(lambda: db.session.scalar(db.select(Article.unpublished_at).filter_by(wp_id=102)))
        assert db.session.scalar(db.select(WordPressSync.last_success_at)) > first
    finally:
        beat.kill()
        beat.wait(timeout=10)
        beat_log.close()
        worker.stop()
