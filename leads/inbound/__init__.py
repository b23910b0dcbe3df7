"""Patient replies coming back: the signed Reply-To address, `flask mail receive`, matching, attachments."""

from leads.inbound import lead_rows  # noqa: F401  (connects the merge and erasure receivers)
