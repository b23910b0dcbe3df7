"""Email: the outbox, rendering and delivery over SMTP or to .eml files."""

from leads.mail import lead_rows  # noqa: F401  (connects the merge and erasure receivers)
