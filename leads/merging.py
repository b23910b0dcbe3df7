"""Merged leads: how to follow one to the lead that absorbed it, and the signal that moves rows.

An area owns what it adds to a lead: when a lead is merged, `lead_merged` is sent and each
area moves its own rows (see `<area>/lead_rows.py`), so no module lists every lead-owned table.
"""

from __future__ import annotations

import sqlalchemy as sa
from blinker import Namespace

from leads.extensions import db
from leads.models import Lead

_signals = Namespace()

# Sent with the source lead's id and `target_id=`; each receiver moves its rows from the
# source to the target in the current transaction and returns {table name: rows moved}.
lead_merged = _signals.signal("lead-merged")

# A merge re-points earlier duplicates at the new target, so chains are one hop long;
# the bound only stops a loop in the data.
MAX_MERGE_HOPS = 10


def follow_merges(lead: Lead | None) -> Lead | None:
    """The lead that absorbed `lead` (itself when it was never merged); None for None."""
    for _hop in range(MAX_MERGE_HOPS):
        if lead is None or lead.merged_into_id is None:
            break
        lead = db.session.get(Lead, lead.merged_into_id)
    return lead


def move_rows(model: type, source_id: int, target_id: int) -> dict[str, int]:
    """Re-point `model`'s rows from one lead to another; for the areas' `lead_merged` receivers."""
    result = db.session.execute(
        sa.update(model).where(model.lead_id == source_id).values(lead_id=target_id),
        execution_options={"synchronize_session": False},
    )
    return {model.__tablename__: result.rowcount or 0}


def move_all_rows(source_id: int, target_id: int) -> dict[str, int]:
    """Send `lead_merged`: every area moves its rows. Returns the rows moved per table."""
    moved: dict[str, int] = {}
    for _receiver, counts in lead_merged.send(source_id, target_id=target_id):
        moved |= counts
    return moved
