"""Merging a duplicate into another lead, and erasing a person's data (admins only)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from leads.dashboard.actions import ActionError
from leads.dashboard.erasure import erase_lead
from leads.dashboard.merge import merge_leads
from leads.extensions import db
from leads.lead_signals import lead_tables, scrub_all_rows
from leads.mail.delivery import eml_path
from leads.merging import follow_merges
from leads.models import (
    AuditEntry,
    Consultation,
    EmailStatus,
    InboundAttachment,
    InboundMessage,
    Inquiry,
    Lead,
    LeadEvent,
    NextStep,
    OutboundEmail,
    PatientMessage,
    QuestionnaireResponse,
    WebhookDelivery,
    WebhookEndpoint,
)
from leads.models.base import utcnow
from leads.timeline import EventKind
from tests.dashboard.conftest import make_email, make_event, make_response
from tests.factories import make_inquiry, make_lead

NAME, EMAIL, PHONE = "Zelda Quibbleworth", "zelda.q@example.com", "+15557654321"
MESSAGE = "My unusual symptom is a tingling marmalade feeling"
FREE_TEXT = "I hope to dance the quibble-tango again"


def test_merge_moves_everything_and_hides_the_source(app, coordinator, coord_client):
    target = make_lead(full_name="Target", score=10, created_at=utcnow() - timedelta(days=1))
    source = make_lead(
        full_name="Duplicate",
        score=80,
        is_urgent=True,
        phone="+15550002222",
        created_at=utcnow() - timedelta(days=5),
    )
    older = make_lead(full_name="Older duplicate", merged_into_id=source.id)
    inquiry = make_inquiry(source)
    make_response(inquiry)
    make_email(source)
    make_event(source, EventKind.NOTE, actor=coordinator, body="from the duplicate")
    db.session.commit()
    moved = merge_leads(source, target, coordinator)
    assert {table: count for table, count in moved.items() if count} == {
        "inquiries": 1,
        "questionnaire_responses": 1,
        "outbound_emails": 1,
        "lead_events": 1,
    }
    for model in (Inquiry, QuestionnaireResponse, OutboundEmail):
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(model).where(model.lead_id == source.id))
            == 0
        )
    assert source.merged_into_id == target.id
    assert db.session.get(Lead, older.id).merged_into_id == target.id
    assert target.is_urgent and target.score == 80 and target.phone == "+15550002222"
    assert target.created_at == source.created_at
    assert (
        db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "lead.merged")).one().target_id
        == source.id
    )
    inbox = coord_client.get("/dashboard/").get_data(as_text=True)
    assert "Target" in inbox and "Duplicate" not in inbox
    page = coord_client.get(f"/dashboard/leads/{target.id}").get_data(as_text=True)
    assert "from the duplicate" in page and f"Lead #{source.id} merged into this one" in page


def test_every_table_with_a_lead_id_moves_over(app, coordinator):
    """A table that holds a lead's rows but has no `lead_merged` receiver would stay behind."""
    owned = set(lead_tables())
    target, source = make_lead(), make_lead()
    make_response(make_inquiry(source))
    email = make_email(source)
    make_event(source, EventKind.NOTE, actor=coordinator, body="x")
    db.session.add_all(
        [
            NextStep(lead_id=source.id, due_at=utcnow()),
            PatientMessage(lead_id=source.id, email_id=email.id, subject="s", body="b"),
            Consultation(lead_id=source.id, uid="merge-test@clinic.example", starts_at=utcnow()),
            InboundMessage(lead_id=source.id, matched_by="token"),
        ]
    )
    endpoint = WebhookEndpoint(name="crm", url="https://crm.example/hook", secret="s", events=["lead.urgent"])
    db.session.add(endpoint)
    db.session.flush()
    db.session.add(
        WebhookDelivery(endpoint_id=endpoint.id, lead_id=source.id, event_type="lead.urgent", message_id="m1")
    )
    db.session.commit()
    moved = merge_leads(source, target, coordinator)
    assert set(moved) == owned and all(moved.values()), moved
    for name in owned:
        table = db.metadata.tables[name]
        left = db.session.scalar(
            sa.select(sa.func.count()).select_from(table).where(table.c.lead_id == source.id)
        )
        # Only the source's own "merged into" marker stays on its timeline.
        assert left == (1 if name == "lead_events" else 0), name


def test_every_table_with_a_lead_id_is_scrubbed_on_erasure(app):
    """A table that holds a lead's rows but has no `lead_erased` receiver would keep the person."""
    lead = make_lead()
    db.session.commit()
    assert sorted(scrubbed.table for scrubbed in scrub_all_rows(lead.id)) == sorted(lead_tables())
    db.session.rollback()


def test_following_merges_stops_on_a_loop(app):
    first, second = make_lead(), make_lead()
    first.merged_into_id, second.merged_into_id = second.id, first.id
    db.session.commit()
    assert follow_merges(first) in (first, second)
    assert follow_merges(None) is None


def test_merge_refusals(app, coordinator, coord_client):
    lead, erased = make_lead(), make_lead(erased_at=utcnow())
    db.session.commit()
    with pytest.raises(ActionError, match="itself"):
        merge_leads(lead, lead, coordinator)
    with pytest.raises(ActionError, match="cannot take the merge"):
        merge_leads(lead, erased, coordinator)
    response = coord_client.post(
        f"/dashboard/leads/{lead.id}/merge", data={"target_id": "99999"}, follow_redirects=True
    )
    assert "There is no lead #99999" in response.get_data(as_text=True)
    response = coord_client.post(
        f"/dashboard/leads/{lead.id}/merge", data={"target_id": "abc"}, follow_redirects=True
    )
    assert response.status_code == 200


def test_merge_through_the_route(app, coord_client):
    target, source = make_lead(), make_lead()
    db.session.commit()
    response = coord_client.post(f"/dashboard/leads/{source.id}/merge", data={"target_id": str(target.id)})
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/dashboard/leads/{target.id}#flash"
    )
    db.session.expire_all()
    assert db.session.get(Lead, source.id).merged_into_id == target.id


def _person_with_everything(coordinator, outbox_dir: Path):
    lead = make_lead(full_name=NAME, email=EMAIL, phone=PHONE, is_urgent=True, score=55)
    duplicate = make_lead(full_name=NAME, email="zelda.other@example.com", merged_into_id=lead.id)
    inquiry = make_inquiry(
        lead,
        message=MESSAGE,
        symptoms=["Balance issues", "Difficulty walking"],
        referrer=f"https://mail.example/?to={EMAIL}",
        landing_page=f"https://clinic.example/?name={NAME}",
        utm_term=NAME,
        utm_source=f"from-{EMAIL}",
        utm_medium=f"sms-to-{PHONE}",
        utm_campaign=f"{NAME}-campaign",
    )
    make_inquiry(duplicate, message=MESSAGE)
    make_response(
        inquiry,
        score=55,
        answers={
            "hopes": FREE_TEXT,
            "treatments_other": "",
            "snapshot": [
                {"title": "Hopes", "rows": [{"question": "Hopes?", "answer": FREE_TEXT, "key": "hopes"}]}
            ],
        },
    )
    pending = make_email(lead, kind="reminder", status=EmailStatus.PENDING)
    sent = make_email(lead, kind="confirmation", last_error=f"451 try later for {EMAIL}")
    make_event(lead, EventKind.NOTE, actor=coordinator, body=f"Spoke to {NAME} on {PHONE}")
    make_event(lead, EventKind.RED_FLAG, response_id=1, flags=["bladder_bowel"])
    make_event(
        lead, EventKind.CALL_LOGGED, actor=coordinator, outcome="reached", notes=f"{NAME} said {MESSAGE}"
    )
    make_event(
        lead,
        EventKind.STATUS_CHANGED,
        actor=coordinator,
        to="lost",
        reason=f"{NAME} moved away",
        **{"from": "new"},
    )
    lead.lost_reason = f"{NAME} moved away"
    # What the coordinators' working day adds to a lead: a step, a message, a reply with a file.
    db.session.add(NextStep(lead_id=lead.id, details=f"Call {NAME} about {MESSAGE}", due_at=utcnow()))
    db.session.add(PatientMessage(lead_id=lead.id, email_id=sent.id, subject=f"Dear {NAME}", body=MESSAGE))
    reply = InboundMessage(
        lead_id=lead.id, matched_by="token", from_address=EMAIL, subject=NAME, body=MESSAGE
    )
    db.session.add(reply)
    db.session.flush()
    db.session.add(InboundAttachment(message_id=reply.id, filename=f"{NAME}.txt", size=4, data=NAME.encode()))
    db.session.commit()
    outbox_dir.mkdir(parents=True, exist_ok=True)
    for email in (pending, sent):
        eml_path(email.id).write_text(f"To: {NAME} <{EMAIL}>\nSubject: Hello\n\nDear {NAME}\n")
    # A coordinators' digest (counts only, no lead id on the row) is nobody's personal data.
    unrelated = outbox_dir / "email-9998.eml"
    unrelated.write_text("To: team@clinic.example\nSubject: Digest\n\nNothing new.\n")
    return lead, duplicate, pending, unrelated


def _text_columns():
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, sa.String | sa.Text) or "JSON" in type(column.type).__name__:
                yield table, column


def _traces(needles: list[str]) -> list[str]:
    found = []
    for table, column in _text_columns():
        for (value,) in db.session.execute(sa.select(column).select_from(table)):
            text = str(value).lower()
            found.extend(
                f"{table.name}.{column.name}: {needle}" for needle in needles if needle.lower() in text
            )
    return found


def _file_traces(app, needles: list[str]) -> list[str]:
    """Every file under instance/ and the outbox, and the SQLite database file, read as raw bytes."""
    files = [path for path in Path(app.instance_path).rglob("*") if path.is_file()]
    files += [path for path in Path(app.config["MAIL_OUTBOX_DIR"]).rglob("*") if path.is_file()]
    url = db.engine.url
    if url.get_backend_name() == "sqlite" and url.database:
        db.session.commit()  # nothing pending: what the file holds is all there is
        files.append(Path(url.database))
        # In WAL mode the recent pages (the erased values' too) sit in the -wal file until a checkpoint.
        files += [path for path in [Path(f"{url.database}-wal")] if path.is_file()]
    found = []
    for path in files:
        data = path.read_bytes().lower()
        found.extend(f"{path.name}: {needle}" for needle in needles if needle.lower().encode() in data)
    return found


def test_erasure_leaves_no_trace(app, admin, admin_client, coordinator):
    outbox_dir = Path(app.config["MAIL_OUTBOX_DIR"])
    lead, duplicate, pending, unrelated = _person_with_everything(coordinator, outbox_dir)
    # The admin looks at the lead and exports a search for the name: both are audited.
    admin_client.get(f"/dashboard/leads/{lead.id}")
    assert NAME in admin_client.get(f"/dashboard/export.csv?q={NAME}").get_data(as_text=True)
    needles = [NAME, EMAIL, PHONE, MESSAGE, FREE_TEXT, "zelda.other@example.com", "Zelda"]
    assert _traces(needles)  # the scan does find the person before erasure
    file_needles = [NAME, EMAIL, PHONE, MESSAGE, FREE_TEXT, "zelda.other@example.com"]
    assert _file_traces(app, file_needles)  # and so does the file scan (the .eml copies at least)

    response = admin_client.post(f"/dashboard/leads/{lead.id}/erase", data={"confirm": "y"})
    assert response.status_code == 303
    db.session.expire_all()

    assert _traces(needles) == []
    assert _file_traces(app, file_needles) == []
    erased = db.session.get(Lead, lead.id)
    assert erased.full_name == f"Erased lead #{lead.id}" and erased.email == f"erased-{lead.id}@invalid"
    assert erased.erased_at is not None and erased.phone is None
    assert db.session.get(Lead, duplicate.id).erased_at is not None
    # The figures stay.
    assert erased.status == "new" and erased.created_at is not None and erased.last_inquiry_at is not None
    inquiry = db.session.scalars(sa.select(Inquiry).where(Inquiry.lead_id == lead.id)).first()
    assert inquiry.consent_version == "test" and inquiry.consented_at
    assert inquiry.symptoms == []
    assert (inquiry.utm_source, inquiry.utm_medium, inquiry.utm_campaign) == (None, None, None)
    # The answered questionnaire still counts, but no health answer stays tied to the lead.
    response_row = db.session.scalars(sa.select(QuestionnaireResponse)).one()
    assert (response_row.answers, response_row.red_flags, response_row.score) == ({}, [], 0)
    assert (erased.is_urgent, erased.score) == (False, 0)
    assert not db.session.scalars(sa.select(LeadEvent).where(LeadEvent.kind == EventKind.RED_FLAG)).all()
    erased_event = db.session.scalars(sa.select(LeadEvent).where(LeadEvent.kind == EventKind.ERASED)).one()
    assert erased_event.data["symptom_counts"][str(inquiry.id)] == 2
    assert db.session.get(OutboundEmail, pending.id).status == EmailStatus.CANCELLED
    # No copy names the person; copies about others stay.
    remaining = [path.read_text() for path in outbox_dir.glob("*.eml")]
    assert all(NAME not in text and EMAIL not in text for text in remaining)
    assert unrelated.exists()
    assert (
        db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "lead.erased")).one().actor_id
        == admin.id
    )
    page = admin_client.get(f"/dashboard/leads/{lead.id}").get_data(as_text=True)
    assert "Erased lead" in page and "Erase personal data" not in page


def test_erasure_deletes_only_the_erased_leads_copies(app, admin):
    """Two patients whose names share a fragment: erasing one leaves the other's emails alone."""
    erased = make_lead(full_name="Ann Lee", email="ann.lee@example.com")
    kept = make_lead(full_name="Ann Leeson", email="ann.leeson@example.com")
    erased_mail = make_email(erased, kind="confirmation")
    kept_mail = make_email(kept, kind="confirmation")
    alert = make_email(erased, kind="urgent_alert", recipient="team@clinic.example")
    db.session.commit()
    Path(app.config["MAIL_OUTBOX_DIR"]).mkdir(parents=True, exist_ok=True)
    for row, lead in ((erased_mail, erased), (kept_mail, kept), (alert, erased)):
        eml_path(row.id).write_text(
            f"To: {lead.full_name} <{lead.email}>\nSubject: Hi\n\nDear {lead.full_name}\n"
        )

    assert erase_lead(erased, admin) == 2

    assert not eml_path(erased_mail.id).exists() and not eml_path(alert.id).exists()
    assert eml_path(kept_mail.id).read_text().startswith("To: Ann Leeson")


def test_only_an_admin_can_erase(app, coord_client, coordinator):
    lead = make_lead(full_name=NAME)
    db.session.commit()
    assert coord_client.post(f"/dashboard/leads/{lead.id}/erase", data={"confirm": "y"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).full_name == NAME
    with pytest.raises(ActionError):
        erase_lead(lead, coordinator)
    assert "Erase personal data" not in coord_client.get(f"/dashboard/leads/{lead.id}").get_data(as_text=True)


def test_erasure_needs_the_confirmation(app, admin_client):
    lead = make_lead(full_name=NAME)
    db.session.commit()
    response = admin_client.post(f"/dashboard/leads/{lead.id}/erase", data={}, follow_redirects=True)
    assert "cannot be undone" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).erased_at is None
