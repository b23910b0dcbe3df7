"""The task names the web process sends and beat schedules are the ones the worker registers."""

from __future__ import annotations

from leads import task_names
from tasks import beat_schedule

NAMES = {value for key, value in vars(task_names).items() if key.isupper()}


def test_every_task_name_is_registered_by_the_worker(app):
    celery_app = app.extensions["celery"]
    celery_app.loader.import_default_modules()
    registered = {name for name in celery_app.tasks if name.startswith("tasks.")}
    assert registered == NAMES


def test_beat_schedules_registered_tasks_only(app):
    assert {entry["task"] for entry in beat_schedule(app.config).values()} <= NAMES
