"""What a merge does to the rows this area adds to a lead: they move to the lead that stays."""

from __future__ import annotations

from leads.merging import lead_merged, move_rows
from leads.models import Inquiry


@lead_merged.connect
def _move_inquiries(source_id: int, target_id: int) -> dict[str, int]:
    return move_rows(Inquiry, source_id, target_id)
