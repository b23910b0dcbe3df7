"""Back, then send again: a submission that repeats a recent inquiry is not a new inquiry."""

from __future__ import annotations

from datetime import datetime, timedelta

from leads.extensions import db
from leads.models import Inquiry


def same_content(inquiry: Inquiry, symptoms: list[str], message: str) -> bool:
    """Same message and the same symptoms (in any order): nothing new for the clinic to read."""
    return (inquiry.message or "").strip() == message.strip() and sorted(inquiry.symptoms or []) == sorted(
        symptoms
    )


def find_repeat(
    lead_id: int, article_id: int, symptoms: list[str], message: str, now: datetime, window_minutes: int
) -> Inquiry | None:
    """The lead's inquiry on this article within the window that this submission repeats, if any."""
    if window_minutes <= 0:
        return None
    recent = db.session.scalars(
        db.select(Inquiry)
        .where(
            Inquiry.lead_id == lead_id,
            Inquiry.article_id == article_id,
            Inquiry.created_at >= now - timedelta(minutes=window_minutes),
        )
        .order_by(Inquiry.created_at, Inquiry.id)
    )
    return next((inquiry for inquiry in recent if same_content(inquiry, symptoms, message)), None)
