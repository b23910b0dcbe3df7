"""Scale out: two web processes (gunicorn) and two workers against one database and one Redis.

Nothing is kept in a process: the login throttle and the inquiry rate limit count across both
web processes, and every email is sent exactly once by the two workers.
"""

from __future__ import annotations

import http.cookiejar
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from leads.auth.passwords import hash_password
from leads.config import PROJECT_ROOT
from leads.extensions import db
from leads.models import OutboundEmail
from leads.models.base import utcnow
from tests.auth.conftest import PASSWORD, csrf_token_from
from tests.factories import make_article, make_user
from tests.inquiries.conftest import valid_form
from tests.services import free_port_in_range
from tests.tasks.test_worker_faults import _inquiries, _wait_until_sent

pytestmark = pytest.mark.slow

GUNICORN = str(PROJECT_ROOT / ".venv" / "bin" / "gunicorn")
SETTINGS = {
    "INQUIRY_RATE_LIMIT": "3 per minute",
    "LOGIN_LIMIT_PER_ACCOUNT_AND_IP": "4 per 15 minutes",
    "QUESTIONNAIRE_DELAY_SECONDS": "0",  # the invitation is due at once too: more rows to race for
}


@pytest.fixture
def broker_env(own_redis) -> dict[str, str]:
    """One Redis for both webs and both workers: broker and rate-limit storage."""
    return {"REDIS_URL": own_redis.url, "CELERY_BROKER_URL": own_redis.url, "CELERY_KEY_PREFIX": "scale:"}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 303 itself is the answer under test


class Browser:
    """One visitor: cookies shared between the two web processes, as behind a load balancer."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect
        )

    def get(self, url: str) -> str:
        with self.opener.open(url, timeout=20) as response:
            return response.read().decode()

    def post(self, url: str, form: dict) -> int:
        body = urllib.parse.urlencode(form, doseq=True).encode()
        try:
            with self.opener.open(url, data=body, timeout=20) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


@pytest.fixture
def start_web(worker_env, tmp_path):
    webs: list[subprocess.Popen] = []

    def start(name: str) -> str:
        port = free_port_in_range()
        log = tmp_path / f"{name}.log"
        with log.open("wb") as output:
            webs.append(
                subprocess.Popen(
                    [GUNICORN, "-w", "1", "-b", f"127.0.0.1:{port}", "app:create_app()"],
                    cwd=PROJECT_ROOT,
                    env={**worker_env, **SETTINGS},
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            )
        base = f"http://127.0.0.1:{port}"
        _wait_healthy(base, log)
        return base

    yield start
    for web in webs:
        web.kill()
        web.wait(timeout=10)


def _wait_healthy(base: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310  (our own local server)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{base} did not start:\n{log.read_text()[-3000:]}")


def test_two_webs_and_two_workers_share_limits_and_send_each_email_once(
    worker_app, worker_env, smtp, start_worker, start_web, capsys
):
    article = make_article()
    staff = make_user(password_hash=hash_password(PASSWORD)).email
    db.session.commit()
    webs = [start_web("web-a"), start_web("web-b")]
    workers = [start_worker("a", concurrency=2), start_worker("b", concurrency=2)]

    # The login throttle: the 5th wrong password is refused whichever process gets it.
    browser = Browser()
    token = csrf_token_from(browser.get(f"{webs[0]}/login"))
    logins = [
        browser.post(f"{webs[n % 2]}/login", {"csrf_token": token, "email": staff, "password": "wrong"})
        for n in range(5)
    ]
    assert logins == [200, 200, 200, 200, 429]

    # The inquiry rate limit: three per minute from one address, counted across both.
    page = browser.get(f"{webs[1]}/{article.slug}/")
    token = csrf_token_from(page)
    inquiries = []
    for n in range(4):
        form = valid_form(email=f"patient{n}@example.com", submission_id=uuid.uuid4().hex)
        inquiries.append(browser.post(f"{webs[n % 2]}/{article.slug}/", {**form, "csrf_token": token}))
    assert inquiries == [303, 303, 303, 429]

    # Every email once: the web inquiries' confirmations and invitations, and a pile to race for.
    _inquiries(40)
    db.session.rollback()
    owed = list(db.session.scalars(db.select(OutboundEmail.id).where(OutboundEmail.due_at <= utcnow())))
    # Each web inquiry owes its confirmation, its invitation and the coordinators' new-lead notice.
    assert len(owed) == 40 + 3 * 3
    started = time.monotonic()
    _wait_until_sent(owed, workers[0], timeout=90, sweep_every=0.5)
    counts = smtp.handler.message_ids()
    assert len(counts) == len(owed)
    assert set(counts.values()) == {1}
    with capsys.disabled():
        print(
            f"\n[scale out] {len(owed)} emails by 2 workers in {time.monotonic() - started:.1f}s, none twice"
        )
