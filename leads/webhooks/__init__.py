"""Outbound webhooks on lead events, signed the Standard Webhooks way, delivered from an outbox."""
