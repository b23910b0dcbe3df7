"""Booking the consultation from the lead page: .ics invitations, updates, cancellation, reminder, day view."""
