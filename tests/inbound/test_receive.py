"""Patient replies: the signed Reply-To address on what coordinators write, `flask mail receive`
matching by token then by thread, the lead marked replied, the assignee told; automatic mail,
forged tokens and input that is not mail do none of that."""

from __future__ import annotations

import os
import subprocess
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import pytest
from bs4 import BeautifulSoup

from leads.config import PROJECT_ROOT
from leads.extensions import db
from leads.inbound.address import reply_address
from leads.mail.delivery import open_transport
from leads.mail.send import deliver
from leads.models import EmailKind, EmailStatus, InboundAttachment, InboundMessage, LeadEvent, OutboundEmail
from tests.factories import make_lead, make_user
from tests.helpers import log_in


@pytest.fixture
def reply_app(make_app, smtp):
    env = {**smtp.env, "REPLY_DOMAIN": "replies.clinic.example", "ATTACHMENT_MAX_BYTES": "2000"}
    app = make_app(env=env, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        yield app


@pytest.fixture
def written(reply_app, smtp):
    """A coordinator wrote to the patient from the lead page; the test SMTP server has the message."""
    coordinator = make_user(full_name="Cora Coordinator", email="cora@clinic.example")
    lead = make_lead(full_name="Grace Hopper", email="grace@example.com", assignee_id=None)
    lead.assignee_id = coordinator.id
    db.session.commit()
    client = reply_app.test_client()
    log_in(client, coordinator)
    client.post(
        f"/dashboard/leads/{lead.id}/messages", data={"subject": "Our call", "body": "Shall we talk?"}
    )
    (email_id,) = db.session.scalars(db.select(OutboundEmail.id)).all()
    with open_transport() as transport:
        deliver(email_id, transport)
    (sent,) = smtp.handler.wait_for(1)
    smtp.handler.messages.clear()
    return lead, client, sent


def _reply(to: str, body: str = "Yes, Tuesday works.", **headers) -> bytes:
    message = EmailMessage()
    message["From"] = "Grace Hopper <grace@example.com>"
    message["To"] = to
    message["Subject"] = "Re: Our call"
    message["Date"] = formatdate()
    message["Message-ID"] = make_msgid(domain="example.com")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return bytes(message)


def _receive(reply_app, raw: bytes):
    return reply_app.test_cli_runner().invoke(args=["mail", "receive"], input=raw)


def test_a_reply_to_the_token_address_lands_on_the_thread_and_marks_the_lead(reply_app, smtp, written):
    lead, client, sent = written
    address = str(sent["Reply-To"])
    assert address == reply_address(lead.id) and address.startswith(f"replies+{lead.id}-")
    result = _receive(reply_app, _reply(address))
    assert result.exit_code == 0, result.output
    assert result.output.strip().startswith("stored reply") and f"on lead {lead.id}" in result.output
    # The command's line names ids only, never the patient.
    assert "grace" not in result.output.lower()
    inbound = db.session.scalars(db.select(InboundMessage)).one()
    assert (inbound.lead_id, inbound.matched_by) == (lead.id, "token")

    page = BeautifulSoup(client.get(f"/dashboard/leads/{lead.id}").text, "html.parser")
    thread = page.select_one("#conversation .thread").get_text(" ", strip=True)
    assert thread.index("Shall we talk?") < thread.index("Yes, Tuesday works.")
    assert "Reply from the patient" in page.select_one("#timeline").get_text(" ", strip=True)
    inbox = BeautifulSoup(client.get("/dashboard/").text, "html.parser")
    assert inbox.select_one("table.inbox .badge-replied").text == "Replied"

    # The assignee is told, with the lead's id and link only.
    notice = db.session.scalars(
        db.select(OutboundEmail).where(OutboundEmail.kind == EmailKind.REPLY_NOTICE)
    ).one()
    assert notice.recipient == "cora@clinic.example"
    with open_transport() as transport:
        assert deliver(notice.id, transport).status == EmailStatus.SENT
    (message,) = smtp.handler.wait_for(1)
    assert f"lead #{lead.id}" in message["Subject"] and "Tuesday" not in message.as_string()

    # Writing back clears the mark.
    client.post(f"/dashboard/leads/{lead.id}/messages", data={"subject": "Re: Our call", "body": "Great."})
    assert BeautifulSoup(client.get("/dashboard/").text, "html.parser").select_one(".badge-replied") is None


def test_a_reply_without_the_token_is_matched_by_its_thread(reply_app, written):
    lead, _client, sent = written
    raw = _reply("care@clinic.example", In_Reply_To=sent["Message-ID"])
    assert _receive(reply_app, raw).exit_code == 0
    inbound = db.session.scalars(db.select(InboundMessage)).one()
    assert (inbound.lead_id, inbound.matched_by) == (lead.id, "thread")


def test_a_forged_token_is_kept_unmatched_for_admins(reply_app, written):
    lead, client, _sent = written
    forged = f"replies+{lead.id}-{'0' * 20}@replies.clinic.example"
    result = _receive(reply_app, _reply(forged, body="Let me in"))
    assert result.exit_code == 0 and "unmatched" in result.output
    inbound = db.session.scalars(db.select(InboundMessage)).one()
    assert inbound.lead_id is None
    assert (
        db.session.scalar(
            db.select(db.func.count()).select_from(LeadEvent).where(LeadEvent.kind == "reply_received")
        )
        == 0
    )
    assert (
        db.session.scalars(db.select(OutboundEmail).where(OutboundEmail.kind == EmailKind.REPLY_NOTICE)).all()
        == []
    )
    assert BeautifulSoup(client.get("/dashboard/").text, "html.parser").select_one(".badge-replied") is None
    admin = make_user(role="admin")
    db.session.commit()
    admin_client = reply_app.test_client()
    log_in(admin_client, admin)
    assert "Let me in" in admin_client.get("/dashboard/admin/unmatched").text
    assert client.get("/dashboard/admin/unmatched").status_code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto_Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X_Autoreply": "yes"},
        {"Return_Path": "<>"},
    ],
)
def test_automatic_mail_is_dropped_never_stored_or_answered(reply_app, written, headers):
    _lead, _client, sent = written
    result = _receive(reply_app, _reply(str(sent["Reply-To"]), body="I am out of office", **headers))
    assert result.exit_code == 0 and result.output.startswith("dropped: automatic mail")
    assert db.session.scalar(db.select(db.func.count()).select_from(InboundMessage)) == 0
    assert (
        db.session.scalars(db.select(OutboundEmail).where(OutboundEmail.kind == EmailKind.REPLY_NOTICE)).all()
        == []
    )


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"", "empty input"),
        (b"hello, this is not an email\n", "not a mail message"),
        (b"\x00\xff\xfe garbage \x00" * 100, "not a mail message"),
        (b"From: x\n\nno date, no id\n", "not a mail message"),
    ],
)
def test_input_that_is_not_mail_gets_one_line_and_exit_65(reply_app, raw, message):
    result = _receive(reply_app, raw)
    assert result.exit_code == 65
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(InboundMessage)) == 0


def test_a_30_mb_message_is_refused_without_reading_it_all(reply_app, written):
    _lead, _client, sent = written
    raw = _reply(str(sent["Reply-To"]), body="x" * (30 * 1024 * 1024))
    result = _receive(reply_app, raw)
    assert result.exit_code == 65 and "message too large" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(InboundMessage)) == 0


def test_attachments_are_size_limited_and_served_only_as_downloads_to_staff(reply_app, written):
    lead, client, sent = written
    message = EmailMessage()
    message["From"] = "grace@example.com"
    message["To"] = str(sent["Reply-To"])
    message["Subject"] = "My scan"
    message["Date"] = formatdate()
    message["Message-ID"] = make_msgid()
    message.set_content("Attached.")
    message.add_attachment(
        b"<script>alert(1)</script>", maintype="text", subtype="html", filename="scan.html"
    )
    message.add_attachment(b"x" * 5000, maintype="application", subtype="pdf", filename="huge.pdf")
    assert _receive(reply_app, bytes(message)).exit_code == 0
    (kept,) = db.session.scalars(db.select(InboundAttachment)).all()
    assert kept.filename == "scan.html" and kept.size == 25
    assert "[Not kept, too large: huge.pdf]" in db.session.scalars(db.select(InboundMessage.body)).one()

    page = BeautifulSoup(client.get(f"/dashboard/leads/{lead.id}").text, "html.parser")
    link = page.select_one("#conversation .attachments a")
    response = client.get(link["href"])
    assert response.status_code == 200 and response.data == b"<script>alert(1)</script>"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.mimetype == "application/octet-stream"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    anonymous = reply_app.test_client().get(link["href"])
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")


def test_the_same_message_delivered_twice_is_stored_once(reply_app, written):
    _lead, _client, sent = written
    raw = _reply(str(sent["Reply-To"]))
    assert "stored" in _receive(reply_app, raw).output
    assert "already received" in _receive(reply_app, raw).output
    assert db.session.scalar(db.select(db.func.count()).select_from(InboundMessage)) == 1


def test_no_reply_to_without_a_reply_domain(make_app, smtp):
    app = make_app(env=smtp.env)
    with app.app_context():
        assert reply_address(1) is None


def test_a_reply_piped_into_the_real_command_like_a_mail_server_does(reply_app, written, base_env, tmp_path):
    """`flask mail receive` as Postfix runs it: a new process, the message on standard input."""
    lead, _client, sent = written
    env = {
        **os.environ,
        **base_env,
        "REPLY_DOMAIN": "replies.clinic.example",
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
    }
    flask = str(PROJECT_ROOT / ".venv" / "bin" / "flask")
    command = [flask, "--app", "app", "mail", "receive"]
    done = subprocess.run(
        command,
        input=_reply(str(sent["Reply-To"])),
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert done.stdout.decode().startswith("stored reply")
    db.session.rollback()
    assert db.session.scalars(db.select(InboundMessage.lead_id)).one() == lead.id
    refused = subprocess.run(
        command, input=b"not mail", env=env, cwd=PROJECT_ROOT, capture_output=True, timeout=120
    )
    assert refused.returncode == 65
    assert refused.stderr.decode().strip() == "error: not a mail message (no From, no Date or Message-ID)"
