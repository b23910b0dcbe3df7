"""What each built figure of `make bench` is measured against, on the same machine in the same run:

- a bare Flask route rendering a template of the article page's size (served by gunicorn
  with the same gunicorn.conf.py): the floor for an article GET in Flask;
- plain psycopg transactions writing the same seven rows an inquiry writes (lead, inquiry,
  timeline event, four outbox rows): the floor for storing an inquiry durably;
- plain smtplib sending messages of the same size over one connection: the floor for email.
"""

from __future__ import annotations

import json
import os
import smtplib
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

from flask import Flask, render_template

from bench.load import Tally


def create_bare_app() -> Flask:
    """The bare route: the captured article page as a template (BARE_TEMPLATE_DIR/page.html),
    with two values filled in per request as a form's tokens would be."""
    app = Flask(__name__, template_folder=os.environ["BARE_TEMPLATE_DIR"])

    @app.get("/page/")
    def page():
        return render_template("page.html", token=uuid.uuid4().hex, submission_id=uuid.uuid4().hex)

    @app.get("/healthz")
    def healthz():
        return "ok"

    return app


def write_bare_template(page_html: str, folder: Path) -> Path:
    """The page's markup, kept literal, with the two per-request values as template variables."""
    folder.mkdir(parents=True, exist_ok=True)
    literal = page_html.replace("{%", "{ %").replace("{{", "{ {").replace("{#", "{ #")
    half = len(literal) // 2
    (folder / "page.html").write_text(
        literal[:half] + '<input type="hidden" value="{{ token }}">'
        '<input type="hidden" value="{{ submission_id }}">' + literal[half:],
        encoding="utf-8",
    )
    return folder


INSERT_LEAD = """
INSERT INTO leads (full_name, email, preferred_contact, status, is_urgent, score, language,
                   last_inquiry_at, created_at, updated_at)
VALUES (%s, %s, 'email', 'new', false, 0, 'en', now(), now(), now()) RETURNING id"""
INSERT_INQUIRY = """
INSERT INTO inquiries (lead_id, article_id, submission_id, symptoms, message, preferred_contact,
                       consent_text, consent_version, consented_at, created_at)
VALUES (%s, %s, %s, %s, %s, 'email', 'I agree', 'v1', now(), now()) RETURNING id"""
INSERT_EVENT = "INSERT INTO lead_events (lead_id, kind, data, created_at) VALUES (%s, 'inquiry', %s, now())"
INSERT_EMAIL = """
INSERT INTO outbound_emails (lead_id, inquiry_id, kind, sequence, due_at, status, attempts,
                             idempotency_key, created_at)
VALUES (%s, %s, %s, %s, now() + %s * interval '1 second', 'cancelled', 0, %s, now())"""
EMAILS = [("confirmation", 0, 0), ("questionnaire", 1, 300), ("reminder", 2, 172800), ("reminder", 3, 432000)]
# Written as `cancelled`: the same rows to write, but none the worker would then try to send in
# the middle of a later figure (the baseline writes thousands a second).


def plain_inserts(database_url: str, clients: int, seconds: float) -> tuple[Tally, float]:
    """`clients` threads, each its own connection, one transaction per inquiry's seven rows."""
    import psycopg

    from bench.load import run_clients

    with psycopg.connect(database_url) as conn:
        article_id = conn.execute("SELECT min(id) FROM articles").fetchone()[0]

    def loop(deadline: float, tally: Tally) -> None:
        with psycopg.connect(database_url) as conn:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                key = uuid.uuid4().hex
                with conn.transaction():
                    lead_id = conn.execute(
                        INSERT_LEAD, ("Bench Patient", f"plain.{key}@example.org")
                    ).fetchone()[0]
                    inquiry_id = conn.execute(
                        INSERT_INQUIRY,
                        (lead_id, article_id, key, json.dumps(["Lower back pain"]), "Walking hurts."),
                    ).fetchone()[0]
                    conn.execute(INSERT_EVENT, (lead_id, json.dumps({"inquiry_id": inquiry_id})))
                    for kind, sequence, delay in EMAILS:
                        conn.execute(
                            INSERT_EMAIL, (lead_id, inquiry_id, kind, sequence, delay, f"{key}:{sequence}")
                        )
                tally.add(time.perf_counter() - started)

    return run_clients(clients, seconds, loop)


def plain_smtp(port: int, count: int, body_size: int) -> float:
    """Seconds for smtplib to send `count` messages of about `body_size` bytes over one connection."""
    body = ("Thank you for your inquiry. " * (body_size // 28 + 1))[:body_size]
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for i in range(count):
            message = EmailMessage()
            message["From"] = "Bench Clinic <care@clinic.example>"
            message["To"] = f"plain.{i}.{uuid.uuid4().hex[:8]}@example.org"
            message["Subject"] = "We received your inquiry"
            message.set_content(body)
            smtp.send_message(message)
    return time.perf_counter() - started
