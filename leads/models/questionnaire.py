"""A patient's answers to the evaluation questionnaire."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from leads.extensions import db
from leads.models.base import UTCDateTime, utcnow
from leads.models.types import JSONType


class QuestionnaireResponse(db.Model):
    __tablename__ = "questionnaire_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One answer per inquiry: a second submission of the same link is refused.
    inquiry_id: Mapped[int] = mapped_column(sa.ForeignKey("inquiries.id"), unique=True)
    lead_id: Mapped[int] = mapped_column(sa.ForeignKey("leads.id"), index=True)
    # The questions as they were when answered, so later changes never corrupt old answers.
    questionnaire_version: Mapped[str] = mapped_column(sa.String(32))
    answers: Mapped[dict] = mapped_column(JSONType(), default=dict)
    red_flags: Mapped[list] = mapped_column(JSONType(), default=list)
    score: Mapped[int] = mapped_column(default=0)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    inquiry = relationship("Inquiry")
