"""The evaluation questionnaire and unsubscribe pages reached from emailed, signed links."""

from leads.questionnaire import lead_rows  # noqa: F401  (connects the merge and erasure receivers)
