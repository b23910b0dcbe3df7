"""The response targets: business days (Monday to Friday) for a first reply, minutes for a red flag."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from leads.config import ConfigError, load_settings
from leads.dashboard.business_time import add_business_days, is_overdue, response_due
from leads.dashboard.merge import merge_leads
from leads.extensions import db
from leads.models import Lead, LeadStatus
from tests.factories import make_lead

UTC_ZONE = ZoneInfo("UTC")
FRIDAY_EVENING = datetime(2026, 11, 6, 18, 0, tzinfo=UTC)  # a Friday


def lead(created_at, **fields):
    values = {"full_name": "x", "email": "x@example.com", "status": LeadStatus.NEW, **fields}
    return Lead(created_at=created_at, **values)


def test_friday_evening_plus_one_business_day_is_monday_evening():
    assert add_business_days(FRIDAY_EVENING, 1, UTC_ZONE) == datetime(2026, 11, 9, 18, 0, tzinfo=UTC_ZONE)


def test_a_weekend_inquiry_starts_counting_on_monday_morning():
    saturday_noon = datetime(2026, 11, 7, 12, 0, tzinfo=UTC)
    assert add_business_days(saturday_noon, 1, UTC_ZONE) == datetime(2026, 11, 10, 0, 0, tzinfo=UTC_ZONE)


def test_midweek_is_the_next_day():
    tuesday = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
    assert add_business_days(tuesday, 2, UTC_ZONE) == datetime(2026, 11, 5, 9, 30, tzinfo=UTC_ZONE)


def test_friday_evening_lead_is_not_overdue_on_saturday_nor_monday_morning_but_is_on_tuesday(app):
    item = lead(FRIDAY_EVENING)
    assert not is_overdue(item, datetime(2026, 11, 7, 20, 0, tzinfo=UTC))
    assert not is_overdue(item, datetime(2026, 11, 9, 9, 0, tzinfo=UTC))
    assert is_overdue(item, datetime(2026, 11, 10, 9, 0, tzinfo=UTC))


def test_a_contacted_or_closed_lead_is_never_overdue(app):
    late = datetime(2026, 12, 1, tzinfo=UTC)
    assert not is_overdue(lead(FRIDAY_EVENING, first_contacted_at=FRIDAY_EVENING), late)
    contacted = lead(FRIDAY_EVENING)
    contacted.status = LeadStatus.LOST
    assert not is_overdue(contacted, late)


def test_the_target_and_time_zone_are_settings(make_app):
    app = make_app(FIRST_RESPONSE_BUSINESS_DAYS=2, CLINIC_TIMEZONE="America/New_York")
    with app.app_context():
        # Friday 18:00 UTC is Friday 13:00 in New York: due Tuesday 13:00 there (18:00 UTC).
        item = lead(FRIDAY_EVENING)
        assert not is_overdue(item, datetime(2026, 11, 10, 17, 59, tzinfo=UTC))
        assert is_overdue(item, datetime(2026, 11, 10, 18, 1, tzinfo=UTC))


def test_an_urgent_lead_is_due_within_the_urgent_minutes_even_on_a_weekend(app):
    """A red flag on Friday evening is not left until Monday: it is due within the hour."""
    item = lead(FRIDAY_EVENING, is_urgent=True, urgent_since=FRIDAY_EVENING)
    assert response_due(item) == FRIDAY_EVENING + timedelta(minutes=60)
    assert not is_overdue(item, FRIDAY_EVENING + timedelta(minutes=59))
    assert is_overdue(item, FRIDAY_EVENING + timedelta(minutes=61))


def test_a_red_flag_after_a_contact_is_due_again_until_the_patient_is_contacted(app):
    flagged = FRIDAY_EVENING + timedelta(days=3)
    item = lead(FRIDAY_EVENING, status=LeadStatus.CONTACTED, first_contacted_at=FRIDAY_EVENING)
    item.last_contacted_at, item.is_urgent, item.urgent_since = FRIDAY_EVENING, True, flagged
    assert is_overdue(item, flagged + timedelta(minutes=61))
    item.last_contacted_at = flagged + timedelta(minutes=30)
    assert response_due(item) is None
    assert not is_overdue(item, flagged + timedelta(days=5))


def test_the_urgent_minutes_are_a_setting(make_app):
    app = make_app(URGENT_RESPONSE_MINUTES=15)
    with app.app_context():
        item = lead(FRIDAY_EVENING, is_urgent=True, urgent_since=FRIDAY_EVENING)
        assert is_overdue(item, FRIDAY_EVENING + timedelta(minutes=16))


def test_a_merge_keeps_the_later_red_flag_due(app, coordinator):
    target = make_lead(created_at=FRIDAY_EVENING)
    source = make_lead(created_at=FRIDAY_EVENING, is_urgent=True, urgent_since=FRIDAY_EVENING)
    db.session.commit()
    merge_leads(source, target, coordinator)
    assert target.is_urgent and target.urgent_since == FRIDAY_EVENING
    assert response_due(target) == FRIDAY_EVENING + timedelta(minutes=60)


def test_the_urgent_minutes_must_be_positive(tmp_path):
    with pytest.raises(ConfigError, match="URGENT_RESPONSE_MINUTES must be 1 or more, got 0"):
        load_settings({"URGENT_RESPONSE_MINUTES": "0"}, instance_path=tmp_path)
