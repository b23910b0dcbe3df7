"""Celery wiring, the Flask way: tasks run inside the app context of the app that made them.

Worker: `celery -A app:celery_app worker`; beat: `celery -A app:celery_app beat`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask

from leads import task_names
from leads.config import ConfigError
from tasks.broker import PREFIX
from tasks.liveness import Heartbeat


def check_retry_bounds(config) -> None:
    """A retry delay at or past the visibility timeout makes Redis deliver the task again and again."""
    if config["EMAIL_RETRY_MAX_SECONDS"] >= config["BROKER_VISIBILITY_TIMEOUT_SECONDS"]:
        raise ConfigError(
            "EMAIL_RETRY_MAX_SECONDS must be below BROKER_VISIBILITY_TIMEOUT_SECONDS "
            f"({config['EMAIL_RETRY_MAX_SECONDS']} >= {config['BROKER_VISIBILITY_TIMEOUT_SECONDS']})"
        )
    # Still retrying to record "sent" when the lease runs out means the sweep re-sends it.
    if config["EMAIL_RECORD_RETRY_SECONDS"] >= config["EMAIL_LEASE_SECONDS"]:
        raise ConfigError(
            "EMAIL_RECORD_RETRY_SECONDS must be below EMAIL_LEASE_SECONDS "
            f"({config['EMAIL_RECORD_RETRY_SECONDS']} >= {config['EMAIL_LEASE_SECONDS']})"
        )


def beat_schedule(config) -> dict:
    """The sweep every minute (catches whatever the broker lost), the daily digest and retention;
    the WordPress sync every WP_SYNC_MINUTES when WP_SITE_URL is set."""
    schedule = {
        "sweep-outbox": {
            "task": task_names.SWEEP_OUTBOX,
            "schedule": timedelta(seconds=config["OUTBOX_SWEEP_SECONDS"]),
        },
        "daily-digest": {
            "task": task_names.SCHEDULE_DIGEST,
            "schedule": crontab(minute=0, hour=config["DIGEST_HOUR_UTC"]),
        },
        "sweep-webhooks": {
            "task": task_names.SWEEP_WEBHOOKS,
            "schedule": timedelta(seconds=config["OUTBOX_SWEEP_SECONDS"]),
        },
        # Daily, at a quiet hour; a run finishes what an earlier one left.
        "retention": {
            "task": task_names.APPLY_RETENTION,
            "schedule": crontab(minute=30, hour=3),
        },
    }
    if config.get("WP_SITE_URL"):
        schedule["wordpress-sync"] = {
            "task": task_names.SYNC_WORDPRESS,
            "schedule": timedelta(minutes=config["WP_SYNC_MINUTES"]),
        }
    return schedule


def celery_config(config) -> dict:
    """Celery settings derived from the Flask config."""
    broker = config["CELERY_BROKER_URL"]
    timeout = config["BROKER_CONNECT_TIMEOUT_SECONDS"]
    # The SQLAlchemy transport hands its options to create_engine(): only Redis gets these.
    transport_options: dict = {}
    if broker.startswith(("redis://", "rediss://")):
        # A publish to a dead Redis must fail fast, not hang the request that made it.
        transport_options |= {
            "visibility_timeout": config["BROKER_VISIBILITY_TIMEOUT_SECONDS"],
            "socket_connect_timeout": timeout,
            "socket_timeout": timeout,
            "max_retries": 0,
        }
        if config.get("CELERY_KEY_PREFIX"):
            transport_options["global_keyprefix"] = config["CELERY_KEY_PREFIX"]
    settings: dict = {}
    if broker.startswith(PREFIX):
        settings["broker_transport"] = "tasks.broker:SQLiteTransport"
        broker = broker.removeprefix(PREFIX)
        # The threads pool acks between polls, so a prefetch of one would cap a worker at
        # `concurrency` tasks per poll. Prefetched messages risk nothing: the row is the truth.
        settings["worker_prefetch_multiplier"] = 4
    return {
        "broker_url": broker,
        "broker_transport_options": transport_options,
        "broker_connection_timeout": timeout,
        # Never give up on the broker: a worker that exits after a Redis outage sends nothing
        # until someone restarts it. Tasks running when the connection drops are cancelled
        # (they go back to the queue; the row, not the message, decides what is sent).
        "broker_connection_retry": True,
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        # A task is acknowledged after it ran, so a worker killed mid-task gives it back.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "timezone": "UTC",
        "enable_utc": True,
        "beat_schedule": beat_schedule(config),
        "beat_schedule_filename": str(Path(config["INSTANCE_PATH"]) / "celerybeat-schedule"),
        # Ours, read by tasks/liveness.py (Celery keeps unknown lower-case settings as they are).
        "leads_worker_heartbeat_file": config["WORKER_HEARTBEAT_FILE"],
    } | settings


def celery_init_app(app: Flask) -> Celery:
    """The Celery app bound to `app`; refuses a retry bound the broker would break."""
    check_retry_bounds(app.config)

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(
        app.name,
        task_cls=FlaskTask,
        include=[
            "tasks.email",
            "tasks.retention",
            "tasks.maintenance",
            "tasks.wordpress",
            "tasks.webhooks",
            "tasks.exports",
        ],
    )
    celery_app.config_from_object(celery_config(app.config))
    celery_app.steps["consumer"].add(Heartbeat)
    celery_app.set_default()
    from tasks.signals import connect

    connect(app.config)
    app.extensions["celery"] = celery_app
    return celery_app
