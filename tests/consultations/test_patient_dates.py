"""Dates in a consultation email read in the patient's language and the clinic's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

from leads.consultations.emails import patient_stamp
from leads.i18n import in_language

MOMENT = datetime(2031, 3, 4, 15, 0, tzinfo=UTC)


def test_an_english_email_names_the_day_and_month_in_english(make_app):
    app = make_app({"CLINIC_TIMEZONE": "America/New_York"})
    with app.app_context(), in_language("en"):
        assert patient_stamp(MOMENT) == "Tuesday 4 March 2031, 10:00"


def test_an_arabic_email_names_the_day_and_month_in_arabic(make_app):
    app = make_app({"CLINIC_TIMEZONE": "America/New_York"})
    with app.app_context(), in_language("ar"):
        stamp = patient_stamp(MOMENT)
    assert "مارس" in stamp and "الثلاثاء" in stamp  # March, Tuesday
    assert "March" not in stamp
