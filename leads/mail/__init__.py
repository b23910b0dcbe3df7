"""Email: the outbox, rendering and delivery over SMTP or to .eml files."""
