"""Booking the consultation from the lead page: .ics invitations, updates, cancellation, reminder, day view."""

from leads.consultations import lead_rows  # noqa: F401  (connects the merge and erasure receivers)
