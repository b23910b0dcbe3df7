"""The lead pipeline: which status may follow which."""

from __future__ import annotations

from leads.models import LeadStatus

MAIN_LINE = (
    LeadStatus.NEW,
    LeadStatus.CONTACTED,
    LeadStatus.QUALIFIED,
    LeadStatus.CONSULTATION_BOOKED,
    LeadStatus.TREATED,
)
CLOSED = (LeadStatus.NOT_A_FIT, LeadStatus.LOST)
REASON_MAX = 500
LABELS = {
    LeadStatus.NEW: "New",
    LeadStatus.CONTACTED: "Contacted",
    LeadStatus.QUALIFIED: "Qualified",
    LeadStatus.CONSULTATION_BOOKED: "Consultation booked",
    LeadStatus.TREATED: "Treated",
    LeadStatus.NOT_A_FIT: "Not a fit",
    LeadStatus.LOST: "Lost",
}


class TransitionError(ValueError):
    """A status change the pipeline does not allow; the message is shown to the coordinator."""


def allowed_targets(current: str) -> list[str]:
    """Forward along the main line (steps may be skipped after a good call), one step back to fix a
    slip (never back to new), closing from any open stage, and reopening a closed lead."""
    if current in CLOSED:
        return [LeadStatus.CONTACTED, *(status for status in CLOSED if status != current)]
    if current not in MAIN_LINE:
        return [LeadStatus.CONTACTED]
    index = MAIN_LINE.index(current)
    targets = list(MAIN_LINE[index + 1 :])
    if index >= 2:
        targets.insert(0, MAIN_LINE[index - 1])
    if current != LeadStatus.TREATED:
        targets.extend(CLOSED)
    return targets


def needs_reason(status: str) -> bool:
    return status in CLOSED


def check_transition(current: str, target: str, reason: str | None) -> str | None:
    """Raise TransitionError unless `current` → `target` is allowed; return the cleaned reason."""
    if target not in LABELS:
        raise TransitionError("Unknown status.")
    if target == current:
        raise TransitionError(f"The lead is already {LABELS[target].lower()}.")
    if target not in allowed_targets(current):
        raise TransitionError(
            f"A lead cannot move from {LABELS.get(current, current).lower()} to {LABELS[target].lower()}."
        )
    reason = " ".join((reason or "").split())
    if needs_reason(target):
        if not reason:
            raise TransitionError(f"Please give a reason for marking the lead {LABELS[target].lower()}.")
        if len(reason) > REASON_MAX:
            raise TransitionError(f"The reason must be at most {REASON_MAX} characters.")
        return reason
    return None
