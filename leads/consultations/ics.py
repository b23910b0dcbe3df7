"""The consultation as an iCalendar object (RFC 5545 / iTIP RFC 5546), built with the `icalendar` package.

No health details: the summary names the clinic, never the treatment or symptoms."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText

from leads.models import Consultation
from leads.models.base import utcnow


def build_ics(consultation: Consultation, attendee_email: str, organizer_email: str, cancel: bool) -> bytes:
    """METHOD:REQUEST for an invitation or an update, METHOD:CANCEL for a cancellation; same UID always."""
    clinic = current_app.config["CLINIC_NAME"]
    calendar = Calendar()
    calendar.add("prodid", f"-//{clinic}//Lead service//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = Event()
    event.add("uid", consultation.uid)
    event.add("sequence", consultation.sequence)
    event.add("dtstamp", utcnow())
    event.add("dtstart", consultation.starts_at)
    event.add("dtend", consultation.starts_at + timedelta(minutes=consultation.minutes))
    event.add("summary", f"Consultation with {clinic}")
    if consultation.location:
        event.add("location", consultation.location)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{organizer_email}")
    organizer.params["cn"] = vText(clinic)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{attendee_email}")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()


def ends_at(consultation: Consultation) -> datetime:
    return consultation.starts_at + timedelta(minutes=consultation.minutes)
