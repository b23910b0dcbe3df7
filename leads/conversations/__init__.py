"""Coordinators writing to patients from the lead page: compose, saved replies, the thread."""

from leads.conversations import lead_rows  # noqa: F401  (connects the merge and erasure receivers)
