"""Writing to the patient from the lead page: through the outbox to a real SMTP server, the health
warning, the thread and timeline, and saved replies rendered in Jinja's sandbox."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from leads.conversations.snippets import render_snippet
from leads.dashboard.actions import ActionError
from leads.extensions import db
from leads.mail.delivery import open_transport
from leads.mail.send import deliver
from leads.models import AuditEntry, EmailKind, EmailStatus, Lead, OutboundEmail, PatientMessage, SavedReply
from tests.factories import make_article, make_inquiry, make_lead, make_user
from tests.helpers import log_in


@pytest.fixture
def smtp_app(make_app, smtp):
    app = make_app(
        env={**smtp.env, "CLINIC_PHONE": "+44 20 7946 0000"},
        WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=False,
    )
    with app.app_context():
        yield app


@pytest.fixture
def people(smtp_app):
    coordinator = make_user(full_name="Cora Coordinator")
    admin = make_user(role="admin", full_name="Ada Admin")
    lead = make_lead(full_name="Grace Hopper")
    make_inquiry(lead=lead, article=make_article(title="Knee therapy"), symptoms=["Lower back pain"])
    db.session.commit()
    client = smtp_app.test_client()
    log_in(client, coordinator)
    admin_client = smtp_app.test_client()
    log_in(admin_client, admin)
    return coordinator, lead, client, admin_client


def _send_all() -> None:
    ids = db.session.scalars(
        db.select(OutboundEmail.id).where(OutboundEmail.status == EmailStatus.PENDING)
    ).all()
    with open_transport() as transport:
        for email_id in ids:
            deliver(email_id, transport)


def test_a_message_from_the_lead_page_goes_through_the_outbox_and_shows_in_the_thread(smtp_app, smtp, people):
    _coordinator, lead, client, _admin = people
    body = "Hello Grace,\n\nCould we call you on Tuesday?\nThanks, Cora"
    response = client.post(f"/dashboard/leads/{lead.id}/messages", data={"subject": "Our call", "body": body})
    assert response.status_code == 303
    email = db.session.scalars(db.select(OutboundEmail)).one()
    assert email.kind == EmailKind.COORDINATOR_MESSAGE and email.lead_id == lead.id
    _send_all()

    (message,) = smtp.handler.wait_for(1)
    assert message["Subject"] == "Our call"
    assert message["To"].addresses[0].addr_spec == lead.email
    text = message.get_body(("plain",)).get_content()
    assert "Could we call you on Tuesday?" in text and "/unsubscribe/" in text
    assert "Tuesday?<br>Thanks, Cora" in message.get_body(("html",)).get_content()
    db.session.expire_all()
    email = db.session.get(OutboundEmail, email.id)
    assert email.status == EmailStatus.SENT and message["Message-ID"] == email.message_id
    # Writing counts as contacting the patient.
    assert db.session.get(Lead, lead.id).last_contacted_at is not None
    assert db.session.scalars(
        db.select(AuditEntry.action).where(AuditEntry.action == "lead.message_written")
    ).one()

    page = BeautifulSoup(client.get(f"/dashboard/leads/{lead.id}").text, "html.parser")
    thread = page.select_one("#conversation .thread").get_text(" ", strip=True)
    assert "Our call" in thread and "Cora Coordinator" in thread and "sent" in thread
    timeline = page.select_one("#timeline").get_text(" ", strip=True)
    assert "Message to the patient" in timeline and "Subject: Our call" in timeline


def test_a_body_with_the_patients_symptoms_needs_confirmation(smtp_app, people):
    _coordinator, lead, client, _admin = people
    data = {"subject": "Your back", "body": "Is the PAIN in your lower back better?"}
    response = client.post(f"/dashboard/leads/{lead.id}/messages", data=data)
    assert response.status_code == 422
    page = BeautifulSoup(response.text, "html.parser")
    warning = page.select_one("#health-warning").get_text(" ", strip=True)
    assert "back, lower, pain" in warning
    # Nothing is sent, nothing typed is lost.
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboundEmail)) == 0
    assert page.select_one("#message-body").text == data["body"]
    assert page.select_one("#message-subject")["value"] == "Your back"

    response = client.post(f"/dashboard/leads/{lead.id}/messages", data={**data, "health_confirmed": "y"})
    assert response.status_code == 303
    assert db.session.scalars(db.select(PatientMessage.body)).one() == data["body"]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"subject": "", "body": "x"}, "Subject: This field is required."),
        ({"subject": "x", "body": "  "}, "Message: This field is required."),
        ({"subject": "x" * 201, "body": "x"}, "Subject: Field cannot be longer than 200 characters."),
    ],
)
def test_bad_messages_get_a_clear_answer(smtp_app, people, data, message):
    _coordinator, lead, client, _admin = people
    response = client.post(f"/dashboard/leads/{lead.id}/messages", data=data, follow_redirects=True)
    assert response.status_code == 200 and message in response.text
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboundEmail)) == 0


def test_no_message_to_an_unsubscribed_patient(smtp_app, people):
    _coordinator, lead, client, _admin = people
    lead.unsubscribed_at = lead.created_at
    db.session.commit()
    response = client.post(
        f"/dashboard/leads/{lead.id}/messages", data={"subject": "Hi", "body": "Hello"}, follow_redirects=True
    )
    assert "The patient unsubscribed" in response.text
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboundEmail)) == 0


def test_a_saved_reply_fills_the_compose_box_for_this_lead(smtp_app, people):
    _coordinator, lead, client, admin_client = people
    body = "Hello {{ first_name }},\nabout {{ treatment }}: call {{ clinic_phone }}.\n{{ coordinator_name }}"
    response = admin_client.post(
        "/dashboard/admin/replies",
        data={"title": "Call us", "subject": "{{ treatment }} at {{ clinic_name }}", "body": body},
    )
    assert response.status_code == 303
    reply = db.session.scalars(db.select(SavedReply)).one()
    page = BeautifulSoup(client.get(f"/dashboard/leads/{lead.id}?reply={reply.id}").text, "html.parser")
    assert page.select_one("#message-subject")["value"] == "Knee therapy at Stemlix Clinic"
    assert page.select_one("#message-body").text == (
        "Hello Grace,\nabout Knee therapy: call +44 20 7946 0000.\nCora Coordinator"
    )
    # The picker is a plain GET form: no script needed.
    picker = page.select_one("form.use-reply")
    assert picker["method"] == "get" and picker.select_one("option")["value"] == str(reply.id)


@pytest.mark.parametrize(
    "snippet",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ first_name.__class__ }}",
        "{{ config.SECRET_KEY }}",
        "{{ lipsum.__globals__ }}",
        "{% for x in range(10) %}",
    ],
)
def test_a_snippet_cannot_reach_python_objects(smtp_app, people, snippet):
    _coordinator, lead, client, admin_client = people
    response = admin_client.post(
        "/dashboard/admin/replies", data={"title": "Evil", "subject": "Hi", "body": snippet}
    )
    assert response.status_code == 422 and "The saved reply cannot be filled in" in response.text
    assert db.session.scalar(db.select(db.func.count()).select_from(SavedReply)) == 0
    with pytest.raises(ActionError):
        render_snippet(snippet, {"first_name": "Grace"})
    # One stored some other way (an old row, a database edit) still cannot: the lead page says so.
    reply = SavedReply(title="Stored", subject="Hi", body=snippet)
    db.session.add(reply)
    db.session.commit()
    response = client.get(f"/dashboard/leads/{lead.id}?reply={reply.id}")
    assert response.status_code == 200 and "The saved reply cannot be filled in" in response.text
    assert smtp_app.config["SECRET_KEY"] not in response.text


def test_a_bad_reply_number_is_a_message_not_an_error(smtp_app, people):
    _coordinator, lead, client, _admin = people
    for value in ("999", "x", "1" * 30):
        response = client.get(f"/dashboard/leads/{lead.id}?reply={value}")
        assert response.status_code == 200 and "That saved reply no longer exists." in response.text


def test_admins_edit_and_delete_saved_replies(smtp_app, people):
    _coordinator, _lead, client, admin_client = people
    admin_client.post("/dashboard/admin/replies", data={"title": "A", "subject": "S", "body": "B"})
    reply = db.session.scalars(db.select(SavedReply)).one()
    page = BeautifulSoup(admin_client.get(f"/dashboard/admin/replies/{reply.id}").text, "html.parser")
    assert page.select_one("#reply-title")["value"] == "A"
    admin_client.post(
        f"/dashboard/admin/replies/{reply.id}", data={"title": "A2", "subject": "S", "body": "B2"}
    )
    db.session.expire_all()
    assert (reply.title, reply.body) == ("A2", "B2")
    admin_client.post("/dashboard/admin/replies", data={"title": "A2", "subject": "S", "body": "B"})
    assert db.session.scalar(db.select(db.func.count()).select_from(SavedReply)) == 1
    assert client.get("/dashboard/admin/replies").status_code == 403
    admin_client.post(f"/dashboard/admin/replies/{reply.id}/delete")
    assert db.session.scalar(db.select(db.func.count()).select_from(SavedReply)) == 0


def test_writing_needs_a_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user, lead = make_user(), make_lead()
        db.session.commit()
        client = app.test_client()
        log_in(client, user)
        response = client.post(
            f"/dashboard/leads/{lead.id}/messages", data={"subject": "Hi", "body": "Hello"}
        )
        assert response.status_code == 400
        assert db.session.scalar(db.select(db.func.count()).select_from(OutboundEmail)) == 0
