"""How the clinic reaches a patient: the lead's contact details and whether it may email them.

A later inquiry only proposes new details (anyone may type a known address); a coordinator
accepts or keeps them, or edits the lead directly. Each change goes on the timeline and in the
audit log, which records which fields changed, never their values.
"""

from __future__ import annotations

from dataclasses import dataclass

from leads.audit.service import AuditAction, record_audit
from leads.dashboard.actions import ActionError, ensure_open
from leads.dashboard.pipeline import REASON_MAX
from leads.extensions import db
from leads.models import ContactMethod, Inquiry, Lead, User
from leads.timeline import EventKind, record_event

ACCEPTED = "accepted"
KEPT = "kept"
FIELD_LABELS = {
    "full_name": "name",
    "email": "email",
    "phone": "phone",
    "preferred_contact": "preferred contact",
}


@dataclass(frozen=True)
class Proposal:
    """Details typed with the lead's latest inquiry that differ from the lead's own."""

    inquiry: Inquiry
    fields: list[str]

    @property
    def labels(self) -> list[str]:
        return [FIELD_LABELS[name] for name in self.fields]


def _proposed_values(inquiry: Inquiry) -> dict[str, str]:
    values = {"full_name": inquiry.full_name or "", "preferred_contact": inquiry.preferred_contact}
    if inquiry.phone:
        # An inquiry without a phone proposes no change to the number we have.
        values["phone"] = inquiry.phone
    return values


def _differences(lead: Lead, values: dict[str, str | None]) -> list[str]:
    return [name for name, value in values.items() if value != getattr(lead, name)]


def pending_proposal(lead: Lead, latest: Inquiry | None) -> Proposal | None:
    """What the latest inquiry proposes, while no coordinator has decided on it."""
    if latest is None or latest.full_name is None or latest.contact_decision is not None:
        return None
    fields = _differences(lead, _proposed_values(latest))
    return Proposal(latest, fields) if fields else None


def _latest_inquiry(lead: Lead) -> Inquiry | None:
    return db.session.scalar(
        db.select(Inquiry)
        .where(Inquiry.lead_id == lead.id)
        .order_by(Inquiry.created_at.desc(), Inquiry.id.desc())
        .limit(1)
    )


def _proposal_to_decide(lead: Lead, inquiry_id: int) -> Proposal:
    """The pending proposal of inquiry `inquiry_id`: the one the coordinator saw, still the latest."""
    ensure_open(lead)
    proposal = pending_proposal(lead, _latest_inquiry(lead))
    if proposal is None or proposal.inquiry.id != inquiry_id:
        raise ActionError(
            "Those details are no longer waiting for a decision; the page shows the current ones."
        )
    return proposal


def accept_proposed(lead: Lead, inquiry_id: int, actor: User) -> list[str]:
    """Give the lead the details of its latest inquiry. Returns the changed field names."""
    proposal = _proposal_to_decide(lead, inquiry_id)
    values = _proposed_values(proposal.inquiry)
    for name in proposal.fields:
        setattr(lead, name, values[name])
    proposal.inquiry.contact_decision = ACCEPTED
    record_event(
        lead.id, EventKind.CONTACT_ACCEPTED, actor_id=actor.id, inquiry_id=inquiry_id, fields=proposal.fields
    )
    record_audit(
        AuditAction.CONTACT_ACCEPTED,
        "lead",
        lead.id,
        actor=actor,
        inquiry_id=inquiry_id,
        fields=proposal.fields,
    )
    db.session.commit()
    return proposal.fields


def keep_current(lead: Lead, inquiry_id: int, actor: User) -> None:
    """Keep the lead's details; the latest inquiry's stay on that inquiry only."""
    proposal = _proposal_to_decide(lead, inquiry_id)
    proposal.inquiry.contact_decision = KEPT
    record_event(
        lead.id, EventKind.CONTACT_KEPT, actor_id=actor.id, inquiry_id=inquiry_id, fields=proposal.fields
    )
    record_audit(
        AuditAction.CONTACT_KEPT, "lead", lead.id, actor=actor, inquiry_id=inquiry_id, fields=proposal.fields
    )
    db.session.commit()


def edit_contact(
    lead: Lead, full_name: str, email: str, phone: str | None, preferred_contact: str, actor: User
) -> list[str]:
    """Set the lead's details (already validated and normalised). Returns the changed field names."""
    ensure_open(lead)
    if preferred_contact == ContactMethod.PHONE and not phone:
        raise ActionError("Phone is the preferred contact: give a phone number, or choose email.")
    values = {"full_name": full_name, "email": email, "phone": phone, "preferred_contact": preferred_contact}
    fields = _differences(lead, values)
    if not fields:
        raise ActionError("Nothing changed.")
    if "email" in fields:
        other = db.session.scalar(db.select(Lead.id).where(Lead.email == email, Lead.id != lead.id))
        if other is not None:
            raise ActionError(f"Lead #{other} has that email address: merge the two leads instead.")
    for name in fields:
        setattr(lead, name, values[name])
    record_event(lead.id, EventKind.CONTACT_EDITED, actor_id=actor.id, fields=fields)
    record_audit(AuditAction.CONTACT_EDITED, "lead", lead.id, actor=actor, fields=fields)
    db.session.commit()
    return fields


def resubscribe(lead: Lead, reason: str, actor: User) -> None:
    """Let emails reach the patient again (they asked, by phone say). Only future emails: the
    ones cancelled at the unsubscription stay cancelled."""
    ensure_open(lead)
    if lead.unsubscribed_at is None:
        raise ActionError("The patient is not unsubscribed.")
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("Say why the patient is subscribed again (for example: asked by phone).")
    if len(reason) > REASON_MAX:
        raise ActionError(f"The reason can be at most {REASON_MAX} characters.")
    lead.unsubscribed_at = None
    record_event(lead.id, EventKind.RESUBSCRIBED, actor_id=actor.id, reason=reason, via="coordinator")
    # The reason is free text (it may name or describe the patient): the timeline keeps it, where
    # erasure can reach it; the append-only audit log only records that it happened.
    record_audit(AuditAction.LEAD_RESUBSCRIBED, "lead", lead.id, actor=actor)
    db.session.commit()
