"""What a merge or an erasure does to the replies a lead sent (and their attachments)."""

from __future__ import annotations

import sqlalchemy as sa

from leads.extensions import db
from leads.lead_signals import Scrubbed, lead_erased, lead_merged, move_rows
from leads.models import InboundAttachment, InboundMessage


@lead_merged.connect
def _move_replies(source_id: int, target_id: int) -> dict[str, int]:
    return move_rows(InboundMessage, source_id, target_id)


@lead_erased.connect
def _scrub_replies(lead_id: int) -> Scrubbed:
    """A reply is the person's own words and address; its files go entirely."""
    own = sa.select(InboundMessage.id).where(InboundMessage.lead_id == lead_id)
    db.session.execute(
        sa.delete(InboundAttachment).where(InboundAttachment.message_id.in_(own)),
        execution_options={"synchronize_session": False},
    )
    result = db.session.execute(
        sa.update(InboundMessage)
        .where(InboundMessage.lead_id == lead_id)
        .values(from_address="", subject="", body="", message_id=None),
        execution_options={"synchronize_session": False},
    )
    return Scrubbed(InboundMessage.__tablename__, {"replies_erased": result.rowcount or 0})
