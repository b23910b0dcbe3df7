"""What a merge or an erasure does to the webhook deliveries about a lead."""

from __future__ import annotations

import sqlalchemy as sa

from leads.extensions import db
from leads.lead_signals import Scrubbed, lead_erased, lead_merged, move_rows
from leads.models import WebhookDelivery


@lead_merged.connect
def _move_deliveries(source_id: int, target_id: int) -> dict[str, int]:
    return move_rows(WebhookDelivery, source_id, target_id)


@lead_erased.connect
def _delete_deliveries(lead_id: int) -> Scrubbed:
    """A payload may hold what the person said (endpoints allowed health details): the log goes."""
    result = db.session.execute(
        sa.delete(WebhookDelivery).where(WebhookDelivery.lead_id == lead_id),
        execution_options={"synchronize_session": False},
    )
    return Scrubbed(WebhookDelivery.__tablename__, {"webhook_deliveries_deleted": result.rowcount or 0})
