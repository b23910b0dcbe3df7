"""The whole service as production runs it: gunicorn, a Celery worker and beat, and an SMTP server.

Started once per test module (it takes several seconds on a busy machine) on free local
ports, against the run's test database and a broker of its own. The journeys share it, so
each uses its own patient's email address and finds its own messages by recipient.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from flask import Flask

from leads import create_app
from leads.config import PROJECT_ROOT
from leads.extensions import db
from tests.conftest import _clear_tables
from tests.mail.smtp import SmtpServer, free_port
from tests.processes import Beat, Gunicorn, LoggedProcess, Worker

SEED = PROJECT_ROOT / "seed" / "stem-cell-spinal-stenosis.wp.json"
SLUG = "mayo-clinic-stem-cell-therapy-for-spinal-stenosis"
COORDINATOR = "coordinator@clinic.example"


@dataclass
class Stack:
    base_url: str
    smtp: SmtpServer
    app: Flask  # same settings as the processes: for reading rows, never for serving
    admin_email: str
    admin_one_time_password: str
    processes: list[LoggedProcess]

    @property
    def article_url(self) -> str:
        return f"{self.base_url}/{SLUG}/"

    def logs(self) -> str:
        """The tail of every process's log, to explain a failure."""
        return "\n".join(f"--- {p.log_path.name} ---\n{p.output()[-2000:]}" for p in self.processes)

    def messages_to(self, address: str) -> list[EmailMessage]:
        with self.smtp.handler.lock:
            return [m for m in self.smtp.handler.messages if address.lower() in str(m["To"]).lower()]

    def wait_for_message(
        self, address: str, matches: Callable[[EmailMessage], bool], timeout: float = 60.0
    ) -> EmailMessage:
        """The first message to `address` that `matches`; fails with the processes' logs."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.messages_to(address) if matches(m)]
            if found:
                return found[0]
            time.sleep(0.2)
        subjects = [str(m["Subject"]) for m in self.messages_to(address)]
        raise AssertionError(f"no matching message to {address} (got {subjects})\n{self.logs()}")

    def scalar(self, statement):
        with self.app.app_context():
            try:
                return db.session.scalar(statement)
            finally:
                db.session.remove()

    def execute(self, statement) -> None:
        with self.app.app_context():
            db.session.execute(statement)
            db.session.commit()
            db.session.remove()


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def links_in(message: EmailMessage, base_url: str) -> list[str]:
    return re.findall(re.escape(base_url) + r"/[^\s<>\"')\]]+", text_of(message))


def _stack_env(base_env: dict[str, str], smtp: SmtpServer, folder: Path, base_url: str) -> dict[str, str]:
    if base_env["CELERY_BROKER_URL"].startswith("redis"):
        broker = {"CELERY_KEY_PREFIX": f"{base_env['CELERY_KEY_PREFIX']}e2e-{uuid.uuid4().hex[:6]}:"}
    else:
        broker = {"CELERY_BROKER_URL": f"sqla+sqlite:///{folder / 'broker.sqlite'}"}
    return {
        **os.environ,
        **base_env,
        **broker,
        **smtp.env,
        "TESTING": "0",
        "PUBLIC_BASE_URL": base_url,
        "MAIL_OUTBOX_DIR": str(folder / "outbox"),
        "COORDINATOR_EMAILS": COORDINATOR,
        # The invitation follows the confirmation within seconds, and the sweep runs every
        # second, so a journey waits seconds for what production spreads over minutes.
        "QUESTIONNAIRE_DELAY_SECONDS": "2",
        "OUTBOX_SWEEP_SECONDS": "1",
        "EMAIL_RETRY_BASE_SECONDS": "1",
        "EMAIL_RETRY_MAX_SECONDS": "2",
        # Every journey posts from 127.0.0.1; the limits have tests of their own.
        "INQUIRY_RATE_LIMIT": "1000 per minute",
        "INQUIRY_POST_LIMIT": "1000 per minute",
        "PYTHONPATH": str(PROJECT_ROOT),
        "PYTHONUNBUFFERED": "1",
    }


def _prepare(app: Flask) -> tuple[str, str]:
    """Import the bundled article and create the first admin; returns its email and one-time password."""
    runner = app.test_cli_runner()
    result = runner.invoke(args=["articles", "import", str(SEED)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "bootstrap-admin"])
    assert result.exit_code == 0, result.output
    email = re.search(r"Admin login: (\S+)", result.output).group(1)
    password = re.search(r"One-time password: (\S+)", result.output).group(1)
    return email, password


@contextlib.contextmanager
def running_stack(base_env: dict[str, str], folder: Path) -> Iterator[Stack]:
    """Start everything on free ports; stop it all and empty the tables afterwards."""
    smtp = SmtpServer().start()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = _stack_env(base_env, smtp, folder, base_url)
    app = create_app(env=env)
    processes: list[LoggedProcess] = []
    try:
        with app.app_context():
            _clear_tables()
        email, password = _prepare(app)
        web = Gunicorn(env, folder / "gunicorn.log", port)
        worker = Worker(env, folder / "worker.log", f"e2e-{port}", concurrency=2)
        beat = Beat(env, folder / "beat.log")
        processes += [web, worker, beat]
        web.wait_ready(), worker.wait_ready(timeout=60), beat.wait_ready()
        yield Stack(base_url, smtp, app, email, password, processes)
    finally:
        for process in processes:
            process.stop()
        smtp.stop()
        with app.app_context():
            db.session.remove()
            _clear_tables()
            db.engine.dispose()
