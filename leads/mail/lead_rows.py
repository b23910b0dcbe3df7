"""What a merge or an erasure does to the outbox rows of a lead (the `.eml` copies are
deleted by the erasure after its commit, through these rows' ids)."""

from __future__ import annotations

import sqlalchemy as sa

from leads.extensions import db
from leads.lead_signals import Scrubbed, lead_erased, lead_merged, move_rows
from leads.models import OutboundEmail
from leads.models.outbox import PATIENT_KINDS


@lead_merged.connect
def _move_emails(source_id: int, target_id: int) -> dict[str, int]:
    return move_rows(OutboundEmail, source_id, target_id)


@lead_erased.connect
def _scrub_emails(lead_id: int) -> Scrubbed:
    # A bounce message may quote the address.
    db.session.execute(
        sa.update(OutboundEmail).where(OutboundEmail.lead_id == lead_id).values(last_error=None),
        execution_options={"synchronize_session": False},
    )
    # Patient emails go to the lead's current address; a stored one is the person's.
    db.session.execute(
        sa.update(OutboundEmail)
        .where(OutboundEmail.lead_id == lead_id, OutboundEmail.kind.in_(PATIENT_KINDS))
        .values(recipient=None),
        execution_options={"synchronize_session": False},
    )
    return Scrubbed(OutboundEmail.__tablename__)
