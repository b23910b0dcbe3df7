"""What a merge or an erasure does to the messages coordinators wrote to a lead."""

from __future__ import annotations

import sqlalchemy as sa

from leads.extensions import db
from leads.lead_signals import Scrubbed, lead_erased, lead_merged, move_rows
from leads.models import PatientMessage


@lead_merged.connect
def _move_messages(source_id: int, target_id: int) -> dict[str, int]:
    return move_rows(PatientMessage, source_id, target_id)


@lead_erased.connect
def _scrub_messages(lead_id: int) -> Scrubbed:
    """What a coordinator wrote to the person may name them or their health: only the rows stay."""
    result = db.session.execute(
        sa.update(PatientMessage).where(PatientMessage.lead_id == lead_id).values(subject="", body=""),
        execution_options={"synchronize_session": False},
    )
    return Scrubbed(PatientMessage.__tablename__, {"messages_erased": result.rowcount or 0})
