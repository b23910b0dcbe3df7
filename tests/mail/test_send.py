"""Sending one row over a real SMTP server: headers, content rules, retries, permanent failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leads.extensions import db
from leads.mail.delivery import open_transport
from leads.mail.outbox import schedule_inquiry_followups
from leads.mail.send import deliver
from leads.models import EmailKind, EmailStatus, LeadEvent, OutboundEmail, QuestionnaireResponse
from leads.models.base import utcnow
from leads.timeline import EventKind, record_event
from tests.factories import make_article, make_inquiry, make_lead

SYMPTOMS = ["Lower back pain", "Balance issues"]
MESSAGE = "My private story about numbness since the fall"


def _owed(**lead_fields) -> tuple:
    lead = make_lead(**lead_fields)
    inquiry = make_inquiry(lead=lead, symptoms=SYMPTOMS, message=MESSAGE)
    rows = schedule_inquiry_followups(inquiry)
    for row in rows:
        row.due_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    return lead, inquiry, {row.kind + str(row.sequence): row.id for row in rows}


def _send(email_id: int):
    with open_transport() as transport:
        return deliver(email_id, transport)


def test_patient_emails_are_personal_but_carry_no_health_details(smtp_app, smtp):
    lead, inquiry, ids = _owed(full_name="Ada Lovelace")
    for email_id in ids.values():
        assert _send(email_id).status == EmailStatus.SENT

    messages = smtp.handler.wait_for(len(ids))
    assert len(messages) == len(ids)
    for message in messages:
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert "Ada" in text and "Ada" in html
        assert inquiry.article.title in text
        for secret in [*SYMPTOMS, MESSAGE, "numbness"]:
            assert secret.lower() not in message.as_string().lower()
        assert "/unsubscribe/" in text and "/unsubscribe/" in html
        assert message["List-Unsubscribe"].strip().startswith("<http://clinic.test/unsubscribe/")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["To"].addresses[0].addr_spec == lead.email
    questionnaire = [m for m in messages if "questions" in m["Subject"]]
    assert "http://clinic.test/q/" in questionnaire[0].get_body(("plain",)).get_content()


def test_message_id_is_derived_from_the_row_and_stored(smtp_app, smtp):
    _, _, ids = _owed()
    _send(ids["confirmation0"])
    row = db.session.get(OutboundEmail, ids["confirmation0"])
    assert row.status == EmailStatus.SENT and row.sent_at is not None and row.attempts == 1
    assert row.message_id.startswith(f"<email-{row.id}.") and row.message_id.endswith("@localhost>")
    assert smtp.handler.wait_for(1)[0]["Message-ID"] == row.message_id
    event = db.session.scalar(db.select(LeadEvent).where(LeadEvent.lead_id == row.lead_id))
    assert event.kind == EventKind.EMAIL_SENT and event.data == {
        "email_id": row.id,
        "email_kind": "confirmation",
    }


def test_a_name_with_crlf_cannot_add_a_header(smtp_app, smtp):
    lead, _, ids = _owed(full_name="Eve\r\nBcc: x@evil.example")
    assert _send(ids["confirmation0"]).status == EmailStatus.SENT
    message = smtp.handler.wait_for(1)[0]
    assert message["Bcc"] is None
    header_lines = message.as_string().split("\n\n", 1)[0].splitlines()
    assert not [line for line in header_lines if line.lower().startswith("bcc")]
    assert [address.addr_spec for address in message["To"].addresses] == [lead.email]
    assert message["To"].addresses[0].display_name == "Eve Bcc: x@evil.example"


def test_smtp_451_retries_later_then_delivers_once(smtp_app, smtp):
    smtp.handler.fail_next = ["451 4.3.0 Try again later", "451 4.3.0 Try again later"]
    _, _, ids = _owed()
    email_id = ids["confirmation0"]

    first = _send(email_id)
    row = db.session.get(OutboundEmail, email_id)
    assert first.status == EmailStatus.PENDING and first.retry_at is not None
    assert row.status == EmailStatus.PENDING and "451" in row.last_error
    assert utcnow() < row.due_at <= utcnow() + timedelta(seconds=2)
    assert _send(email_id).status == "skipped"  # not due yet: nobody may claim it

    for _ in range(2):
        db.session.execute(db.update(OutboundEmail).values(due_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        _send(email_id)
    db.session.expire_all()
    row = db.session.get(OutboundEmail, email_id)
    assert row.status == EmailStatus.SENT and row.attempts == 3
    assert len(smtp.handler.messages) == 1 and smtp.handler.refused == 2


def test_smtp_550_fails_for_good_with_the_reason(smtp_app, smtp):
    smtp.handler.always = "550 5.1.1 No such user"
    _, _, ids = _owed()
    outcome = _send(ids["confirmation0"])
    row = db.session.get(OutboundEmail, ids["confirmation0"])
    assert outcome.status == EmailStatus.FAILED and outcome.retry_at is None
    assert row.status == EmailStatus.FAILED and "550" in row.last_error and "No such user" in row.last_error
    assert smtp.handler.refused == 1 and smtp.handler.messages == []
    events = db.session.scalars(db.select(LeadEvent.kind).where(LeadEvent.lead_id == row.lead_id)).all()
    assert events == [EventKind.EMAIL_FAILED]


def test_out_of_attempts_fails(smtp_app, smtp):
    smtp_app.config["EMAIL_MAX_ATTEMPTS"] = 1
    smtp.handler.always = "421 4.3.2 Service not available"
    _, _, ids = _owed()
    outcome = _send(ids["confirmation0"])
    row = db.session.get(OutboundEmail, ids["confirmation0"])
    assert outcome.status == EmailStatus.FAILED and "gave up after 1 attempts" in row.last_error


def test_connection_refused_is_temporary(make_app):
    app = make_app(env={"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": "1"})
    with app.app_context():
        _, _, ids = _owed()
        outcome = _send(ids["confirmation0"])
        row = db.session.get(OutboundEmail, ids["confirmation0"])
        assert outcome.status == EmailStatus.PENDING and row.status == EmailStatus.PENDING
        assert "ConnectionRefusedError" in row.last_error


def test_rules_at_send_time_cancel_what_is_no_longer_wanted(smtp_app, smtp):
    unsubscribed, _, unsub_ids = _owed()
    unsubscribed.unsubscribed_at = utcnow()
    erased, _, erased_ids = _owed()
    erased.erased_at = utcnow()
    answered, answered_inquiry, answered_ids = _owed()
    db.session.add(
        QuestionnaireResponse(
            inquiry_id=answered_inquiry.id, lead_id=answered.id, questionnaire_version="v1", answers={}
        )
    )
    contacted, _, contacted_ids = _owed()
    contacted.status = "contacted"
    db.session.commit()

    def outcome(ids, key):
        return _send(ids[key]).status

    assert outcome(unsub_ids, "confirmation0") == EmailStatus.CANCELLED
    assert outcome(erased_ids, "questionnaire0") == EmailStatus.CANCELLED
    assert outcome(answered_ids, "questionnaire0") == EmailStatus.CANCELLED
    assert outcome(answered_ids, "reminder1") == EmailStatus.CANCELLED
    assert outcome(answered_ids, "confirmation0") == EmailStatus.SENT
    assert outcome(contacted_ids, "reminder2") == EmailStatus.CANCELLED
    assert outcome(contacted_ids, "questionnaire0") == EmailStatus.SENT
    assert len(smtp.handler.wait_for(2)) == 2
    reason = db.session.get(OutboundEmail, contacted_ids["reminder2"]).last_error
    assert reason == "cancelled: lead moved on (contacted)"


def test_urgent_alert_names_red_flags_escaped_and_links_the_lead(smtp_app, smtp):
    from leads.mail.outbox import schedule_urgent_alert

    lead, inquiry, _ = _owed()
    # The red flag as the timeline holds it (it may come before any answers are stored).
    record_event(
        lead.id, EventKind.RED_FLAG, inquiry_id=inquiry.id, flags=["saddle_numbness", "<b>unknown flag</b>"]
    )
    lead.is_urgent, lead.urgent_since = True, datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    rows = schedule_urgent_alert(lead, "response:1")
    db.session.commit()
    assert [row.recipient for row in rows] == ["coordinator@clinic.example"]
    assert _send(rows[0].id).status == EmailStatus.SENT
    message = smtp.handler.wait_for(1)[0]
    html = message.get_body(("html",)).get_content()
    assert "Numbness in the groin or saddle area" in html
    assert "&lt;b&gt;unknown flag&lt;/b&gt;" in html and "<b>unknown" not in html
    assert f"http://clinic.test/dashboard/leads/{lead.id}" in html
    # The urgent target, not "today": the same deadline the inbox shows.
    text = " ".join(message.get_body(("plain",)).get_content().split())
    assert "contact this patient within an hour (by 2026-12-01 10:30 UTC)" in text
    assert "today" not in text
    assert message["List-Unsubscribe"] is None
    assert message["To"].addresses[0].addr_spec == "coordinator@clinic.example"
    assert rows[0].kind == EmailKind.URGENT_ALERT


def test_an_article_title_with_crlf_cannot_add_a_header(smtp_app, smtp):
    lead = make_lead()
    article = make_article(title="Stem cells\r\nBcc: x@evil.example\nX-Injected: 1")
    rows = schedule_inquiry_followups(make_inquiry(lead=lead, article=article))
    db.session.commit()
    assert _send(rows[0].id).status == EmailStatus.SENT
    message = smtp.handler.wait_for(1)[0]
    assert message["Bcc"] is None and message["X-Injected"] is None
    # The title stays inside the one Subject header (which Python may fold onto a continuation line).
    assert (
        message["Subject"].strip()
        == "We received your inquiry about Stem cells Bcc: x@evil.example X-Injected: 1"
    )


def test_an_internationalized_domain_is_sent_in_its_ascii_form(smtp_app, smtp):
    # The inquiry form accepts such addresses (email-validator keeps the Unicode domain).
    lead, _, ids = _owed(email="ana@bücher.example")
    assert _send(ids["confirmation0"]).status == EmailStatus.SENT
    message = smtp.handler.wait_for(1)[0]
    assert message["To"].addresses[0].addr_spec == "ana@xn--bcher-kva.example"
    assert lead.email == "ana@bücher.example"


def test_the_form_takes_an_internationalized_domain_and_its_confirmation_arrives(make_app, smtp):
    # The form refuses a non-ASCII part before the @ (SMTPUTF8, which we cannot send), not the domain.
    app = make_app(env=smtp.env, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        article = make_article()
        db.session.commit()
        form = {"full_name": "Ana", "email": "user@exämple.org", "consent": "y", "submission_id": "1" * 32}
        assert app.test_client().post(f"/{article.slug}/", data=form).status_code == 303
        [confirmation] = db.session.scalars(
            db.select(OutboundEmail).where(OutboundEmail.kind == EmailKind.CONFIRMATION)
        )
        assert _send(confirmation.id).status == EmailStatus.SENT
    [message] = smtp.handler.wait_for(1)
    assert message["To"].addresses[0].addr_spec == "user@xn--exmple-cua.org"


def test_a_malformed_coordinator_address_fails_at_once_with_the_reason(smtp_app, smtp):
    from leads.mail.outbox import schedule_urgent_alert

    # A typo in COORDINATOR_EMAILS; the parser raises HeaderParseError, which is no ValueError.
    smtp_app.config["COORDINATOR_EMAILS"] = ["<oops@clinic.example>", "ok@clinic.example"]
    lead = make_lead()
    bad, good = schedule_urgent_alert(lead, "response:7")
    db.session.commit()
    assert _send(bad.id).status == EmailStatus.FAILED
    assert _send(good.id).status == EmailStatus.SENT
    row = db.session.get(OutboundEmail, bad.id)
    assert row.status == EmailStatus.FAILED and row.attempts == 1
    assert row.last_error == "invalid recipient address: HeaderParseError"
    assert [m["To"].addresses[0].addr_spec for m in smtp.handler.wait_for(1)] == ["ok@clinic.example"]


def test_a_batch_reuses_one_smtp_connection(smtp_app, smtp):
    from leads.mail.send import send_batch

    for _ in range(3):
        _owed()
    with open_transport() as transport:
        outcomes = send_batch(10, transport)
    assert [outcome.status for outcome in outcomes].count(EmailStatus.SENT) == len(outcomes) >= 3
    smtp.handler.wait_for(len(outcomes))
    assert len(set(smtp.handler.peers)) == 1


def test_the_confirmation_repeats_the_chosen_contact_method_and_the_reply_time(smtp_app, smtp):
    _, inquiry, ids = _owed(preferred_contact="phone")
    # The lead's stored choice counts, not what a later (perhaps spoofed) inquiry asked.
    inquiry.preferred_contact = "email"
    db.session.commit()
    assert _send(ids["confirmation0"]).status == EmailStatus.SENT
    message = smtp.handler.wait_for(1)[0]
    for part in ("plain", "html"):
        text = " ".join(message.get_body((part,)).get_content().split())
        assert "contact you within one working day, by phone, as you asked" in text
        assert "soon" not in text
