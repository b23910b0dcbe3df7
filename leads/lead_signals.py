"""Signals about a lead's life. An area owns what it adds to a lead: when a lead is merged or
erased, each area moves or scrubs its own rows (`<area>/lead_rows.py`, the timeline in
`timeline.py`), so no module lists every lead-owned table. Tests check that every table with a
`lead_id` answers both signals."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from blinker import Namespace

from leads.extensions import db

_signals = Namespace()

# Sent with the source lead's id and `target_id=`: each receiver moves its rows to the target,
# in the current transaction, and returns {table name: rows moved}.
lead_merged = _signals.signal("lead-merged")

# Sent with the erased lead's id: each receiver replaces the person in its rows, in the current
# transaction, and returns a Scrubbed.
lead_erased = _signals.signal("lead-erased")


@dataclass(frozen=True)
class Scrubbed:
    table: str
    # Figures kept on the erasure's timeline event: counts and ids, never personal text.
    facts: dict = field(default_factory=dict)


def lead_tables() -> list[str]:
    """Every table that holds rows of a lead (has a `lead_id`), from the models."""
    return [table.name for table in db.metadata.sorted_tables if "lead_id" in table.columns]


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


def scrub_all_rows(lead_id: int) -> list[Scrubbed]:
    """Send `lead_erased`: every area scrubs its rows of this lead. Returns what each reported."""
    return [result for _receiver, result in lead_erased.send(lead_id)]
