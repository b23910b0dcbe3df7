"""What a merge does to the rows this area adds to a lead: they move to the lead that stays."""

from __future__ import annotations

from leads.merging import lead_merged, move_rows
from leads.models import QuestionnaireResponse


@lead_merged.connect
def _move_responses(source_id: int, target_id: int) -> dict[str, int]:
    return move_rows(QuestionnaireResponse, source_id, target_id)
