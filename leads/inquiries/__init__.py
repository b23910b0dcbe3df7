"""Inquiries: the form beside each article and the durable store of each submission."""

from leads.inquiries import lead_rows  # noqa: F401  (connects the merge and erasure receivers)
