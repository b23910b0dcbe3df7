"""Outbound webhooks on lead events, signed the Standard Webhooks way, delivered from an outbox."""

from leads.webhooks import lead_rows  # noqa: F401  (connects the merge and erasure receivers)
