"""What a merge or an erasure does to the inquiries of a lead."""

from __future__ import annotations

import sqlalchemy as sa

from leads.extensions import db
from leads.lead_signals import Scrubbed, lead_erased, lead_merged, move_rows
from leads.models import Inquiry


@lead_merged.connect
def _move_inquiries(source_id: int, target_id: int) -> dict[str, int]:
    return move_rows(Inquiry, source_id, target_id)


@lead_erased.connect
def _scrub_inquiries(lead_id: int) -> Scrubbed:
    """The consent record and the figures stay; what the person wrote or chose does not."""
    counts = {}
    for inquiry in db.session.scalars(sa.select(Inquiry).where(Inquiry.lead_id == lead_id)):
        # Symptoms are health data: only how many were chosen stays.
        counts[str(inquiry.id)] = len(inquiry.symptoms or [])
        inquiry.symptoms = []
        inquiry.message = ""
        # The contact details typed with this inquiry (the lead's own are scrubbed with it).
        inquiry.full_name = None
        inquiry.phone = None
        inquiry.referrer = None
        inquiry.landing_page = None
        # Campaign tags are free text anyone can put in a link.
        inquiry.utm_source = None
        inquiry.utm_medium = None
        inquiry.utm_campaign = None
        inquiry.utm_term = None
        inquiry.utm_content = None
    return Scrubbed(Inquiry.__tablename__, {"symptom_counts": counts})
