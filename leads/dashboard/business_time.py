"""When a lead's response is due: business days (Monday to Friday) for a first response,
minutes (any day) for a red flag."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from leads.dashboard.pipeline import CLOSED
from leads.models import Lead, LeadStatus

SATURDAY = 5


def _next_business_start(moment: datetime) -> datetime:
    """`moment` itself on a weekday; the following Monday 00:00 when it falls on a weekend."""
    while moment.weekday() >= SATURDAY:
        moment = datetime.combine(moment.date() + timedelta(days=1), time(0), tzinfo=moment.tzinfo)
    return moment


def add_business_days(start: datetime, days: int, zone: ZoneInfo) -> datetime:
    """The moment `days` business days after `start`, counted in the clinic's time zone.

    A lead that arrives on a weekend starts counting on Monday morning, so a Friday-evening
    inquiry with a one-day target is due on Monday evening, not on Saturday.
    """
    moment = _next_business_start(start.astimezone(zone))
    for _ in range(days):
        moment += timedelta(days=1)
        while moment.weekday() >= SATURDAY:
            moment += timedelta(days=1)
    return moment


def first_response_due(received_at: datetime) -> datetime:
    config = current_app.config
    return add_business_days(
        received_at, config["FIRST_RESPONSE_BUSINESS_DAYS"], ZoneInfo(config["CLINIC_TIMEZONE"])
    )


def urgent_response_due(lead: Lead) -> datetime | None:
    """When the patient who reported a red flag must have been contacted; None once they have been."""
    if lead.urgent_since is None or lead.status in CLOSED:
        return None
    if lead.last_contacted_at is not None and lead.last_contacted_at >= lead.urgent_since:
        return None
    return lead.urgent_since + timedelta(minutes=current_app.config["URGENT_RESPONSE_MINUTES"])


def response_due(lead: Lead) -> datetime | None:
    """The moment the lead's next response is due, or None when none is owed."""
    if lead.erased_at is not None or lead.merged_into_id is not None:
        return None
    urgent = urgent_response_due(lead)
    if urgent is not None:
        return urgent
    if lead.first_contacted_at is None and lead.status == LeadStatus.NEW:
        return first_response_due(lead.created_at)
    return None


def is_overdue(lead: Lead, now: datetime) -> bool:
    """Nobody has contacted the lead within its target: the red flag's minutes, or the first working day(s)."""
    due = response_due(lead)
    return due is not None and now > due
