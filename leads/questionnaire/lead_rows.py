"""What a merge or an erasure does to the questionnaire answers of a lead."""

from __future__ import annotations

import sqlalchemy as sa

from leads.extensions import db
from leads.lead_signals import Scrubbed, lead_erased, lead_merged, move_rows
from leads.models import QuestionnaireResponse


@lead_merged.connect
def _move_responses(source_id: int, target_id: int) -> dict[str, int]:
    return move_rows(QuestionnaireResponse, source_id, target_id)


@lead_erased.connect
def _scrub_responses(lead_id: int) -> Scrubbed:
    """Every answer is health data: the row stays only so statistics can count it."""
    result = db.session.execute(
        sa.update(QuestionnaireResponse)
        .where(QuestionnaireResponse.lead_id == lead_id)
        .values(answers={}, red_flags=[], score=0),
        execution_options={"synchronize_session": False},
    )
    return Scrubbed(QuestionnaireResponse.__tablename__, {"answers_erased": result.rowcount or 0})
