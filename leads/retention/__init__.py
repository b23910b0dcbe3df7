"""Retention: personal data of leads nobody has worked on for `RETENTION_MONTHS` is erased."""
