"""A lead's contact details: what a later inquiry may only propose, a coordinator's decision,
direct edits, and re-subscribing. Each change on the timeline and in the audit log."""

from __future__ import annotations

import uuid

import pytest
from bs4 import BeautifulSoup

from leads.dashboard import contact
from leads.dashboard.actions import ActionError
from leads.dashboard.erasure import erase_lead
from leads.extensions import db
from leads.models import AuditEntry, Inquiry, Lead, LeadEvent
from leads.models.base import utcnow
from leads.timeline import EventKind
from tests.factories import make_article, make_inquiry, make_lead
from tests.inquiries.conftest import valid_form


def _events(lead_id: int, kind: str) -> list[LeadEvent]:
    return db.session.scalars(
        db.select(LeadEvent).where(LeadEvent.lead_id == lead_id, LeadEvent.kind == kind)
    ).all()


def _audits(action: str) -> list[AuditEntry]:
    return db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)).all()


@pytest.fixture
def victim(app):
    lead = make_lead(
        full_name="Ana Silva", email="ana.silva@example.com", phone="+15075550123", preferred_contact="email"
    )
    make_inquiry(lead=lead, full_name="Ana Silva", phone="+15075550123")
    db.session.commit()
    return lead


def _attack(app, victim) -> Inquiry:
    """An anonymous form post that knows only the victim's email address."""
    article = make_article()
    db.session.commit()
    form = valid_form(
        email="ANA.SILVA@example.com",
        full_name="Mallory Attacker",
        phone="+1 507 555 0199",
        preferred_contact="phone",
        message="Please call me about my results.",
        submission_id=uuid.uuid4().hex,
    )
    assert app.test_client().post(f"/{article.slug}/", data=form).status_code == 303
    return db.session.scalars(db.select(Inquiry).order_by(Inquiry.id.desc())).first()


def test_an_anonymous_post_with_the_victims_email_leaves_the_lead_and_shows_the_proposal(
    app, victim, coord_client
):
    inquiry = _attack(app, victim)

    db.session.expire_all()
    lead = db.session.get(Lead, victim.id)
    assert (lead.full_name, lead.phone, lead.preferred_contact) == ("Ana Silva", "+15075550123", "email")
    page = BeautifulSoup(
        coord_client.get(f"/dashboard/leads/{victim.id}").get_data(as_text=True), "html.parser"
    )
    assert page.h1.get_text().startswith("Ana Silva")
    proposal = page.select_one(".proposal")
    assert proposal is not None and "New details in the latest inquiry" in proposal.get_text()
    text = proposal.get_text(" ")
    assert "Mallory Attacker" in text and "+15075550199" in text and "phone" in text
    assert {field["value"] for field in proposal.select('input[name="inquiry_id"]')} == {str(inquiry.id)}


def test_accepting_gives_the_lead_the_new_details_on_the_timeline_and_in_the_audit(
    app, victim, coordinator, coord_client
):
    inquiry = _attack(app, victim)

    response = coord_client.post(
        f"/dashboard/leads/{victim.id}/contact/accept", data={"inquiry_id": inquiry.id}
    )

    assert response.status_code == 303
    db.session.expire_all()
    lead = db.session.get(Lead, victim.id)
    assert (lead.full_name, lead.phone, lead.preferred_contact) == (
        "Mallory Attacker",
        "+15075550199",
        "phone",
    )
    assert db.session.get(Inquiry, inquiry.id).contact_decision == "accepted"
    [event] = _events(victim.id, EventKind.CONTACT_ACCEPTED)
    assert event.actor_id == coordinator.id and event.data["fields"] == [
        "full_name",
        "preferred_contact",
        "phone",
    ]
    [entry] = _audits("lead.contact_accepted")
    # The audit log is never erased: it names the fields, not the values.
    assert entry.target_id == victim.id and "Mallory" not in str(entry.details)
    page = coord_client.get(f"/dashboard/leads/{victim.id}").get_data(as_text=True)
    assert "New details in the latest inquiry" not in page and "New contact details accepted" in page


def test_keeping_leaves_the_lead_and_closes_the_proposal(app, victim, coordinator, coord_client):
    inquiry = _attack(app, victim)

    coord_client.post(f"/dashboard/leads/{victim.id}/contact/keep", data={"inquiry_id": inquiry.id})

    db.session.expire_all()
    assert db.session.get(Lead, victim.id).full_name == "Ana Silva"
    assert db.session.get(Inquiry, inquiry.id).contact_decision == "kept"
    assert len(_events(victim.id, EventKind.CONTACT_KEPT)) == 1 and len(_audits("lead.contact_kept")) == 1
    page = coord_client.get(f"/dashboard/leads/{victim.id}").get_data(as_text=True)
    assert "New details in the latest inquiry" not in page and "Contact details kept" in page


def test_only_the_proposal_the_coordinator_saw_can_be_decided(app, victim, coordinator):
    seen = _attack(app, victim)
    _attack(app, victim)  # a newer inquiry arrived meanwhile

    with pytest.raises(ActionError, match="no longer waiting"):
        contact.accept_proposed(victim, seen.id, coordinator)
    assert db.session.get(Lead, victim.id).full_name == "Ana Silva"


def test_an_inquiry_with_the_same_details_proposes_nothing(app, victim, coord_client):
    make_inquiry(lead=victim, full_name="Ana Silva", phone=None, preferred_contact="email")
    db.session.commit()

    assert "New details in the latest inquiry" not in coord_client.get(
        f"/dashboard/leads/{victim.id}"
    ).get_data(as_text=True)


def test_a_coordinator_edits_the_details_normalised_like_the_public_form(
    app, victim, coordinator, coord_client
):
    response = coord_client.post(
        f"/dashboard/leads/{victim.id}/contact",
        data={
            "full_name": "Ana Maria Silva",
            "email": "Ana.M@Example.COM",
            "phone": "0044 20 7946 0958",
            "preferred_contact": "phone",
        },
    )

    assert response.status_code == 303
    db.session.expire_all()
    lead = db.session.get(Lead, victim.id)
    assert (lead.full_name, lead.email, lead.phone, lead.preferred_contact) == (
        "Ana Maria Silva",
        "ana.m@example.com",
        "+442079460958",
        "phone",
    )
    [entry] = _audits("lead.contact_edited")
    assert entry.actor_id == coordinator.id
    assert entry.details == {"fields": ["full_name", "email", "phone", "preferred_contact"]}
    assert len(_events(victim.id, EventKind.CONTACT_EDITED)) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"email": "not-an-address"}, "valid email address"),
        ({"phone": "12"}, "phone number"),
        ({"full_name": ""}, "Full name"),
        ({"full_name": "Ana\r\nBcc: x@example.com"}, "single line"),
        ({"phone": "", "preferred_contact": "phone"}, "give a phone number"),
        ({"email": "taken@example.com"}, "merge the two leads"),
    ],
)
def test_a_bad_edit_is_refused_with_a_message_and_changes_nothing(app, victim, coord_client, change, message):
    make_lead(email="taken@example.com")
    db.session.commit()
    data = {
        "full_name": "Ana Silva",
        "email": "ana.silva@example.com",
        "phone": "",
        "preferred_contact": "email",
    }

    response = coord_client.post(
        f"/dashboard/leads/{victim.id}/contact", data={**data, **change}, follow_redirects=True
    )

    assert response.status_code == 200 and message in response.get_data(as_text=True)
    db.session.expire_all()
    lead = db.session.get(Lead, victim.id)
    assert (lead.full_name, lead.email, lead.phone) == ("Ana Silva", "ana.silva@example.com", "+15075550123")
    assert _audits("lead.contact_edited") == []


def test_a_coordinator_resubscribes_with_a_required_reason(app, coordinator, coord_client):
    lead = make_lead(unsubscribed_at=utcnow())
    db.session.commit()
    url = f"/dashboard/leads/{lead.id}/resubscribe"

    refused = coord_client.post(url, data={"reason": "  "}, follow_redirects=True)
    db.session.expire_all()
    assert (
        "Reason" in refused.get_data(as_text=True)
        and db.session.get(Lead, lead.id).unsubscribed_at is not None
    )

    coord_client.post(url, data={"reason": "Asked by phone to hear from us again"})

    db.session.expire_all()
    assert db.session.get(Lead, lead.id).unsubscribed_at is None
    [event] = _events(lead.id, EventKind.RESUBSCRIBED)
    assert event.actor_id == coordinator.id and event.data["reason"] == "Asked by phone to hear from us again"
    [entry] = _audits("lead.resubscribed")
    assert entry.actor_id == coordinator.id and entry.target_id == lead.id
    page = coord_client.get(f"/dashboard/leads/{lead.id}").get_data(as_text=True)
    assert "Subscribed again" in page and "Asked by phone" in page


def test_resubscribing_a_subscribed_lead_is_refused(app, coordinator):
    lead = make_lead()
    db.session.commit()
    with pytest.raises(ActionError, match="not unsubscribed"):
        contact.resubscribe(lead, "why not", coordinator)


def test_a_repeat_shows_on_the_lead_page_timeline(app, victim, coord_client):
    article = make_article()
    db.session.commit()
    for phone in ("+1 507 555 0123", "+1 507 555 0188"):
        app.test_client().post(
            f"/{article.slug}/",
            data=valid_form(email="ana.silva@example.com", phone=phone, submission_id=uuid.uuid4().hex),
        )

    page = coord_client.get(f"/dashboard/leads/{victim.id}").get_data(as_text=True)
    assert "Inquiry sent again" in page and "no new email" in page
    # A corrected phone in the repeat is shown to the coordinator, not applied.
    assert "Typed differently this time: phone: +15075550188" in page
    db.session.expire_all()
    assert db.session.get(Lead, victim.id).phone == "+15075550123"


def test_erasure_clears_the_details_each_inquiry_proposed(app, victim, admin):
    inquiry = _attack(app, victim)

    erase_lead(db.session.get(Lead, victim.id), admin)

    db.session.expire_all()
    names = db.session.scalars(db.select(Inquiry.full_name).where(Inquiry.lead_id == victim.id)).all()
    phones = db.session.scalars(db.select(Inquiry.phone).where(Inquiry.lead_id == victim.id)).all()
    assert names == [None, None] and phones == [None, None]
    assert db.session.get(Inquiry, inquiry.id).lead_id == victim.id
