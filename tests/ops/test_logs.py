"""Logs: JSON lines with a request id, and not one of them carries personal data or a token."""

from __future__ import annotations

import json
import logging
import re

import pytest

from leads.extensions import db
from leads.links import questionnaire_url, unsubscribe_url
from leads.logs import RequestIdJsonFormatter, redact_url
from leads.mail.delivery import EmlTransport
from leads.mail.send import send_batch
from leads.models import Inquiry
from tests.factories import SEED_SYMPTOMS, make_article, make_user
from tests.helpers import log_in
from tests.live import LiveServer
from tests.questionnaire.conftest import answers

NAME = "Zelda Quartermaine"
EMAIL = "zelda.quartermaine@example.com"
PHONE = "+1 507 555 0199"
MESSAGE = "Sciatica since the ski crash"
HOPES = "Hike Kilimanjaro next spring"
SEARCH = "Quartermai"


class Lines(logging.Handler):
    """Every record, formatted as production formats it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(RequestIdJsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def captured():
    """A JSON handler on the root logger at DEBUG, as LOG_LEVEL=DEBUG would set it."""
    handler = Lines()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_request_id_is_taken_when_sane_and_made_otherwise(client):
    assert client.get("/healthz", headers={"X-Request-ID": "proxy-id-123456"}).headers["X-Request-ID"] == (
        "proxy-id-123456"
    )
    made = client.get("/healthz", headers={"X-Request-ID": "zelda@example.com"}).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert client.get("/healthz").headers["X-Request-ID"] != made


def test_redact_url_cuts_tokens_and_query_strings():
    assert redact_url('"GET /q/abc.def-ghi HTTP/1.1" 200') == '"GET /q/[redacted] HTTP/1.1" 200'
    assert redact_url("/unsubscribe/tok.en/extra?x=1") == "/unsubscribe/[redacted]?[redacted]"
    assert (
        redact_url("GET /dashboard/?q=zelda%40example.com HTTP/1.1") == "GET /dashboard/?[redacted] HTTP/1.1"
    )
    assert redact_url("/question/plain") == "/question/plain"
    # A literal quote in the query (curl sends it unencoded) does not end the redaction.
    assert (
        redact_url('"GET /a/?x="&email=secret.patient@example.org HTTP/1.1" 200')
        == '"GET /a/?[redacted] HTTP/1.1" 200'
    )


def test_no_log_line_carries_personal_data_or_a_token(make_app, captured):
    app = make_app(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False, QUESTIONNAIRE_DELAY_SECONDS=0)
    with app.app_context():
        article = make_article()
        user = make_user(role="coordinator")
        db.session.commit()
        client = app.test_client()
        log_in(client, user)
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        staff = {"Cookie": f"{cookie.key}={cookie.value}"}

        with LiveServer(app) as server:
            form = {
                "full_name": NAME,
                "email": EMAIL,
                "phone": PHONE,
                "preferred_contact": "email",
                "symptoms": [SEED_SYMPTOMS[0], SEED_SYMPTOMS[3]],
                "message": MESSAGE,
                "consent": "y",
                "website": "",
                "submission_id": "f" * 32,
            }
            status, _ = server.request(f"/{article.slug}/", form, {"X-Request-ID": "inquiry-req-0001"})
            assert status == 303
            inquiry = db.session.scalar(db.select(Inquiry))
            # The confirmation, the invitation and the coordinator's new-inquiry notice, sent
            # in-process (the worker's own logs: tests/tasks).
            assert len(send_batch(10, EmlTransport())) == 3
            q_path = questionnaire_url(inquiry.id).removeprefix(app.config["PUBLIC_BASE_URL"])
            u_path = unsubscribe_url(inquiry.lead_id).removeprefix(app.config["PUBLIC_BASE_URL"])
            assert server.request(q_path)[0] == 200
            assert server.request(q_path, answers(hopes=HOPES))[0] == 200
            assert server.request(u_path)[0] == 200
            for query in (SEARCH, EMAIL, PHONE):
                status, body = server.request(f"/dashboard/?q={query.replace(' ', '+')}", headers=staff)
                assert status == 200 and b"Quartermaine" in body
            status, body = server.request(f"/dashboard/export.csv?q={SEARCH}", headers=staff)
            assert status == 200 and EMAIL.encode() in body

    lines = captured.lines
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    access = [record["message"] for record in records if record["logger"] == "werkzeug"]
    assert len(access) >= 8, access
    assert any("/q/[redacted]" in line for line in access)
    assert any("/dashboard/?[redacted]" in line for line in access)
    assert any(record.get("request_id") == "inquiry-req-0001" for record in records)
    text = "\n".join(lines).lower()
    token = q_path.split("/")[-1].lower()
    secrets = [NAME, *NAME.split(), EMAIL, "zelda.quartermaine", PHONE, "5070199", "555 0199", "5550199",
               MESSAGE, "kilimanjaro", SEARCH, token, u_path.split("/")[-1]]  # fmt: skip
    leaked = [secret for secret in secrets if secret.lower() in text]
    assert leaked == [], [line for line in lines if any(s.lower() in line.lower() for s in leaked)][:5]


def test_a_logged_traceback_keeps_the_frames_but_not_the_message(captured):
    try:
        raise ValueError(f"duplicate key {EMAIL}")
    except ValueError:
        logging.getLogger("leads.test").exception("store failed")
    (line,) = [line for line in captured.lines if "store failed" in line]
    record = json.loads(line)
    assert "builtins.ValueError" in record["exc_info"]
    assert "test_a_logged_traceback_keeps_the_frames" in record["exc_info"]
    assert EMAIL not in line
