"""The Celery task names, in one place.

The web process sends tasks by name (it does not import `tasks/`), beat schedules them by name
and `tasks/` registers them under these names; a second spelling would be a task that never runs.
"""

SEND_EMAIL = "tasks.email.send_email"
SEND_DUE_BATCH = "tasks.email.send_due_batch"
SWEEP_OUTBOX = "tasks.email.sweep_outbox"
SCHEDULE_DIGEST = "tasks.email.schedule_digest"
APPLY_RETENTION = "tasks.retention.apply_retention"
VACUUM_TABLES = "tasks.maintenance.vacuum_tables"
SYNC_WORDPRESS = "tasks.wordpress.sync_wordpress"
SWEEP_WEBHOOKS = "tasks.webhooks.sweep_webhooks"
DELIVER_WEBHOOK = "tasks.webhooks.deliver_webhook"
EXPORT_CSV = "tasks.exports.export_csv"
