"""Celery wiring, the Flask way: tasks run inside the app context of the app that made them."""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask


def celery_config(config) -> dict:
    """Celery settings derived from the Flask config."""
    broker = config["CELERY_BROKER_URL"]
    timeout = config["BROKER_CONNECT_TIMEOUT_SECONDS"]
    transport_options: dict = {"visibility_timeout": config["BROKER_VISIBILITY_TIMEOUT_SECONDS"]}
    if broker.startswith(("redis://", "rediss://")):
        # A publish to a dead Redis must fail fast, not hang the request that made it.
        transport_options |= {
            "socket_connect_timeout": timeout,
            "socket_timeout": timeout,
            "max_retries": 0,
        }
        if config.get("CELERY_KEY_PREFIX"):
            transport_options["global_keyprefix"] = config["CELERY_KEY_PREFIX"]
    return {
        "broker_url": broker,
        "broker_transport_options": transport_options,
        "broker_connection_timeout": timeout,
        "broker_connection_retry_on_startup": True,
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        # A task is acknowledged after it ran, so a worker killed mid-task gives it back.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "timezone": "UTC",
        "enable_utc": True,
    }


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(celery_config(app.config))
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
