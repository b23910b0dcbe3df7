"""Following a merged lead to the lead that absorbed it: the one place that does it."""

from __future__ import annotations

from leads.extensions import db
from leads.models import Lead

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
