"""Unsubscribing from a signed link: the token is the authority, and doing it twice changes nothing."""

from __future__ import annotations

from flask import current_app

from leads.extensions import db
from leads.links import UNSUBSCRIBE
from leads.mail.outbox import cancel_pending
from leads.merging import follow_merges
from leads.models import Lead
from leads.models.base import utcnow
from leads.models.outbox import PATIENT_KINDS
from leads.timeline import EventKind, record_event
from leads.tokens import TokenInvalid, read_token


def lead_for_token(token: str) -> Lead:
    """The lead an unsubscribe link was made for (after merges); raises TokenExpired or TokenInvalid."""
    max_age = current_app.config["UNSUBSCRIBE_TTL_DAYS"] * 86400
    lead = follow_merges(db.session.get(Lead, read_token(UNSUBSCRIBE, token, max_age)))
    if lead is None or lead.erased_at is not None:
        raise TokenInvalid("no such lead")
    return lead


def unsubscribe(lead_id: int) -> bool:
    """Record the unsubscription; True if it is new. Cancels every pending email to the patient."""
    # A conditional UPDATE: of two requests racing, exactly one sees a row change.
    result = db.session.execute(
        db.update(Lead)
        .where(Lead.id == lead_id, Lead.unsubscribed_at.is_(None))
        .values(unsubscribed_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    if not result.rowcount:
        db.session.rollback()
        return False
    cancelled = cancel_pending(lead_id, kinds=PATIENT_KINDS)
    record_event(lead_id, EventKind.UNSUBSCRIBED, cancelled_emails=cancelled)
    db.session.commit()
    return True
