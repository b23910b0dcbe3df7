"""The Prometheus metrics, defined once; any module calls these small functions to count.

Names are part of the operations contract (docs/operations.md, alerts): keep them stable.
Under gunicorn with several workers, and for the Celery worker on the same host,
PROMETHEUS_MULTIPROC_DIR makes prometheus-client write to shared files that /metrics adds
up (leads/monitoring.py). Labels are bounded sets (endpoints, kinds, reasons), never ids.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

INQUIRIES_RECEIVED = Counter(
    "leads_inquiries_received_total", "Inquiries stored (repeats of a submission not counted)"
)
SPAM_REFUSED = Counter("leads_spam_refused_total", "Form submissions refused as spam", ["reason"])
RATE_LIMITED = Counter("leads_rate_limited_total", "Requests answered 429 by a rate limit", ["endpoint"])
EMAILS_SENT = Counter("leads_emails_sent_total", "Emails handed to the mail server (or .eml)", ["kind"])
EMAILS_FAILED = Counter("leads_emails_failed_total", "Emails given up on (permanent failure)", ["kind"])
EMAILS_RETRIED = Counter("leads_emails_retried_total", "Email attempts deferred for a retry", ["kind"])
TASK_SECONDS = Histogram("leads_task_duration_seconds", "Celery task run time", ["task"])
REQUEST_SECONDS = Histogram(
    "leads_request_duration_seconds", "HTTP request time, by endpoint", ["endpoint", "method", "status"]
)
# Computed at scrape time from the outbox (leads/monitoring.py), not counted here:
OUTBOX_DUE = "leads_outbox_due"
OUTBOX_OVERDUE = "leads_outbox_overdue"


def inquiry_received() -> None:
    INQUIRIES_RECEIVED.inc()


def spam_refused(reason: str) -> None:
    SPAM_REFUSED.labels(reason).inc()


def rate_limited(endpoint: str) -> None:
    RATE_LIMITED.labels(endpoint).inc()


def email_sent(kind: str) -> None:
    EMAILS_SENT.labels(str(kind)).inc()


def email_failed(kind: str) -> None:
    EMAILS_FAILED.labels(str(kind)).inc()


def email_retried(kind: str) -> None:
    EMAILS_RETRIED.labels(str(kind)).inc()
