"""Business days (Monday to Friday) for the first-response target."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

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


def is_overdue(lead: Lead, now: datetime) -> bool:
    """Nobody has contacted a new lead within the first-response target."""
    if lead.first_contacted_at is not None or lead.status != LeadStatus.NEW or lead.erased_at is not None:
        return False
    return now > first_response_due(lead.created_at)
