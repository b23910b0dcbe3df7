"""What a merge or an erasure does to a lead's consultations."""

from __future__ import annotations

from leads.lead_signals import Scrubbed, lead_erased, lead_merged, move_rows
from leads.models import Consultation


@lead_merged.connect
def _move_consultations(source_id: int, target_id: int) -> dict[str, int]:
    return move_rows(Consultation, source_id, target_id)


@lead_erased.connect
def _keep_consultations(lead_id: int) -> Scrubbed:
    """A booking holds times, a place and the clinic's own video link, nothing of the person:
    the rows stay for the figures (their pending reminders are cancelled with the outbox)."""
    return Scrubbed(Consultation.__tablename__)
