"""Booking a consultation from the lead page: .ics invitations that a real calendar parser reads
(stable UID, SEQUENCE up on each change, METHOD:CANCEL), the reminder, the status, the day view."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from icalendar import Calendar

from leads.consultations import booking
from leads.dashboard.actions import ActionError
from leads.extensions import db
from leads.mail.delivery import open_transport
from leads.mail.send import deliver
from leads.models import Consultation, EmailKind, EmailStatus, Lead, LeadEvent, OutboundEmail, User
from leads.models.base import utcnow
from tests.factories import make_article, make_inquiry, make_lead, make_user
from tests.helpers import log_in

START = datetime(2031, 3, 4, 15, 0, tzinfo=UTC)  # 10:00 in New York (EST)


@pytest.fixture
def booking_app(make_app, smtp):
    env = {
        **smtp.env,
        "CLINIC_TIMEZONE": "America/New_York",
        "CLINIC_ADDRESS": "1 Main Street, Springfield",
        "CONSULTATION_VIDEO_LINK": "https://video.clinic.example/room/1",
    }
    app = make_app(env=env, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        yield app


@pytest.fixture
def setup(booking_app):
    coordinator = make_user(full_name="Cora Coordinator")
    lead = make_lead(full_name="Grace Hopper")
    make_inquiry(lead=lead, article=make_article(title="Knee therapy"), symptoms=["Lower back pain"])
    db.session.commit()
    client = booking_app.test_client()
    log_in(client, coordinator)
    return coordinator, lead, client


def _send_due() -> None:
    ids = db.session.scalars(
        db.select(OutboundEmail.id).where(
            OutboundEmail.status == EmailStatus.PENDING, OutboundEmail.due_at <= utcnow()
        )
    ).all()
    with open_transport() as transport:
        for email_id in ids:
            deliver(email_id, transport)


def _calendar(message) -> Calendar:
    """The attached invite.ics, parsed by icalendar with every warning an error and no parse errors kept."""
    (part,) = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert part.get_filename() == "invite.ics"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        calendar = Calendar.from_ical(part.get_payload(decode=True))
    for component in calendar.walk():
        assert component.errors == [], component.errors
    assert part.get_param("method") == str(calendar["METHOD"])
    return calendar


def _event(calendar: Calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def _book(client, lead, **fields):
    data = {"day": "2031-03-04", "at": "10:00", "minutes": "45", "place": "clinic", **fields}
    data.setdefault("coordinator", str(db.session.scalars(db.select(User.id).order_by(User.id)).first()))
    return client.post(f"/dashboard/leads/{lead.id}/consultations", data=data)


def test_booking_sends_an_invitation_a_calendar_reads_and_moves_the_lead(booking_app, smtp, setup):
    coordinator, lead, client = setup
    response = _book(client, lead)
    assert response.status_code == 303
    consultation = db.session.scalars(db.select(Consultation)).one()
    assert consultation.starts_at == START and consultation.minutes == 45
    assert (
        consultation.location == "1 Main Street, Springfield"
        and consultation.coordinator_id == coordinator.id
    )
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status == "consultation_booked"
    reminder = db.session.scalars(
        db.select(OutboundEmail).where(OutboundEmail.kind == EmailKind.CONSULTATION_REMINDER)
    ).one()
    assert reminder.due_at == START - timedelta(hours=24) and reminder.status == EmailStatus.PENDING

    _send_due()
    (message,) = smtp.handler.wait_for(1)
    assert message["To"].addresses[0].addr_spec == lead.email
    assert (
        " ".join(message["Subject"].split())
        == "Your consultation with Stemlix Clinic: Tuesday 4 March 2031, 10:00"
    )
    text = message.get_body(("plain",)).get_content()
    assert "1 Main Street, Springfield" in text and "45 minutes" in text
    # No health details anywhere, attachment included.
    assert "back pain" not in message.as_string().lower()
    calendar = _calendar(message)
    assert str(calendar["METHOD"]) == "REQUEST"
    event = _event(calendar)
    assert str(event["UID"]) == consultation.uid and int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == START and event.decoded("DTEND") == START + timedelta(minutes=45)
    assert str(event["LOCATION"]) == "1 Main Street, Springfield" and str(event["STATUS"]) == "CONFIRMED"
    assert str(event["ATTENDEE"]) == f"mailto:{lead.email}"

    page = BeautifulSoup(client.get(f"/dashboard/leads/{lead.id}").text, "html.parser")
    assert "2031-03-04 10:00 (America/New_York)" in page.select_one("#consultations").get_text(
        " ", strip=True
    )
    assert "Consultation booked" in page.select_one("#timeline").get_text(" ", strip=True)


def test_a_reschedule_keeps_the_uid_raises_the_sequence_and_moves_the_reminder(booking_app, smtp, setup):
    _coordinator, lead, client = setup
    _book(client, lead)
    _send_due()
    consultation = db.session.scalars(db.select(Consultation)).one()
    uid, old_reminder = (
        consultation.uid,
        db.session.scalars(
            db.select(OutboundEmail.id).where(OutboundEmail.kind == EmailKind.CONSULTATION_REMINDER)
        ).one(),
    )

    response = client.post(
        f"/dashboard/leads/{lead.id}/consultations/{consultation.id}/move",
        data={"day": "2031-03-05", "at": "14:30", "minutes": "60"},
    )
    assert response.status_code == 303
    _send_due()
    first, update = smtp.handler.wait_for(2)
    assert update["Subject"].startswith("New time for your consultation")
    event = _event(_calendar(update))
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 1 > int(
        _event(_calendar(first))["SEQUENCE"]
    )
    assert event.decoded("DTSTART") == datetime(2031, 3, 5, 19, 30, tzinfo=UTC)
    db.session.expire_all()
    assert db.session.get(OutboundEmail, old_reminder).status == EmailStatus.CANCELLED
    new_reminder = db.session.scalars(
        db.select(OutboundEmail).where(
            OutboundEmail.kind == EmailKind.CONSULTATION_REMINDER, OutboundEmail.status == EmailStatus.PENDING
        )
    ).one()
    assert new_reminder.due_at == datetime(2031, 3, 4, 19, 30, tzinfo=UTC)


def test_a_cancellation_sends_method_cancel_and_no_reminder(booking_app, smtp, setup):
    _coordinator, lead, client = setup
    _book(client, lead, place="video")
    consultation = db.session.scalars(db.select(Consultation)).one()
    assert consultation.location == "https://video.clinic.example/room/1"
    client.post(f"/dashboard/leads/{lead.id}/consultations/{consultation.id}/cancel")
    _send_due()
    db.session.expire_all()
    states = dict(db.session.execute(db.select(OutboundEmail.kind, OutboundEmail.status)).all())
    assert states == {
        # Cancelled before it went: the patient gets only the cancellation.
        EmailKind.CONSULTATION_INVITE: EmailStatus.CANCELLED,
        EmailKind.CONSULTATION_REMINDER: EmailStatus.CANCELLED,
        EmailKind.CONSULTATION_CANCEL: EmailStatus.SENT,
    }
    (message,) = smtp.handler.wait_for(1)
    calendar = _calendar(message)
    event = _event(calendar)
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == consultation.uid and int(event["SEQUENCE"]) == 1
    response = client.post(
        f"/dashboard/leads/{lead.id}/consultations/{consultation.id}/cancel", follow_redirects=True
    )
    assert "That consultation was cancelled." in response.text


def test_a_reminder_for_a_moved_consultation_is_cancelled_at_send_time(booking_app, smtp, setup):
    coordinator, lead, _client = setup
    consultation = booking.book(
        lead, utcnow() + timedelta(hours=30), 30, "clinic", coordinator.id, coordinator
    )
    reminder = db.session.scalars(
        db.select(OutboundEmail).where(OutboundEmail.kind == EmailKind.CONSULTATION_REMINDER)
    ).one()
    # Moved by hand (say, a restore): the reminder row still says the old sequence.
    consultation.sequence += 1
    reminder.due_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with open_transport() as transport:
        assert deliver(reminder.id, transport).status == EmailStatus.CANCELLED
    assert db.session.get(OutboundEmail, reminder.id).last_error == "cancelled: consultation moved"


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"day": "2001-01-01"}, "The consultation must start in the future."),
        ({"place": "moon"}, "Choose where the consultation takes place."),
        ({"minutes": "7"}, "Choose the consultation&#39;s length."),
        ({"minutes": "x"}, "Length (minutes): Not a valid integer value."),
        ({"coordinator": "424242"}, "Choose an active coordinator"),
        ({"day": "2031-02-30"}, "Date (clinic time): Not a valid date value."),
    ],
)
def test_bad_bookings_get_a_clear_message(booking_app, setup, fields, message):
    _coordinator, lead, client = setup
    response = _book(client, lead, **fields)
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert message in page.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Consultation)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboundEmail)) == 0


def test_no_video_link_configured_and_unsubscribed_patients(make_app, smtp):
    app = make_app(env=smtp.env, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        user, lead = make_user(), make_lead()
        db.session.commit()
        with pytest.raises(ActionError, match="No video link"):
            booking.book(lead, utcnow() + timedelta(days=2), 30, "video", user.id, user)
        lead.unsubscribed_at = utcnow()
        db.session.commit()
        with pytest.raises(ActionError, match="unsubscribed"):
            booking.book(lead, utcnow() + timedelta(days=2), 30, "clinic", user.id, user)
        assert db.session.scalar(db.select(db.func.count()).select_from(LeadEvent)) == 0


def test_the_day_view_lists_that_days_consultations_in_clinic_time(booking_app, setup):
    coordinator, lead, client = setup
    other = make_lead(full_name="Tom Tomorrow")
    db.session.commit()
    booking.book(lead, START, 30, "clinic", coordinator.id, coordinator, now=START - timedelta(days=3))
    # 03:00 UTC on the 5th is still the 4th in New York.
    booking.book(other, datetime(2031, 3, 5, 3, 0, tzinfo=UTC), 30, "clinic", coordinator.id, coordinator)
    page = BeautifulSoup(client.get("/dashboard/consultations?day=2031-03-04").text, "html.parser")
    rows = [row.get_text(" ", strip=True) for row in page.select("table.consultations tbody tr")]
    assert len(rows) == 2
    assert "Grace Hopper" in rows[0] and "10:00" in rows[0] and "Cora Coordinator" in rows[0]
    assert "Tom Tomorrow" in rows[1] and "22:00" in rows[1]
    assert "No consultations" in client.get("/dashboard/consultations?day=2031-03-06").text
    response = client.get("/dashboard/consultations?day=yesterday")
    assert response.status_code == 200 and "The day must be a date" in response.text
    nav = BeautifulSoup(client.get("/dashboard/tasks").text, "html.parser").select_one("nav.dash-nav")
    assert nav.find("a", string="Consultations")["href"] == "/dashboard/consultations"
