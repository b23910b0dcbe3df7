"""What a merge or an erasure does to a lead's next steps (coordinators' tasks)."""

from __future__ import annotations

import sqlalchemy as sa

from leads.extensions import db
from leads.lead_signals import Scrubbed, lead_erased, lead_merged, move_rows
from leads.models import NextStep


@lead_merged.connect
def _move_steps(source_id: int, target_id: int) -> dict[str, int]:
    return move_rows(NextStep, source_id, target_id)


@lead_erased.connect
def _scrub_steps(lead_id: int) -> Scrubbed:
    """A step's details are a coordinator's free text about the person."""
    db.session.execute(
        sa.update(NextStep).where(NextStep.lead_id == lead_id).values(details=""),
        execution_options={"synchronize_session": False},
    )
    return Scrubbed(NextStep.__tablename__)
