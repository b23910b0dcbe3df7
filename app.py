"""Entry point: `flask --app app run` finds `create_app`; Celery uses `-A app:celery_app`.

Nothing is built at import time: `celery_app` is created on first access, from
`create_app()`, so the worker gets the same configuration as the web app.
"""

import sys
from collections.abc import Mapping

import tasks  # noqa: F401  (celery -A puts the cwd on sys.path only while importing this module)
from leads import create_app as build_app
from leads.config import ConfigError

__all__ = ["create_app"]  # and `celery_app`, built on first access

# Gunicorn's master stops (instead of respawning workers forever) when a worker exits with this.
CONFIG_ERROR_EXIT = 4


def create_app(overrides: Mapping | None = None, env: Mapping[str, str] | None = None):
    """The app for `flask --app app`, gunicorn and Celery; a bad setting stops start-up with one line."""
    try:
        return build_app(overrides, env)
    except ConfigError as error:
        # The operator needs the reason, not a traceback through the CLI or the server.
        print(f"Error: {error}", file=sys.stderr, flush=True)
        raise SystemExit(CONFIG_ERROR_EXIT) from None


def __getattr__(name: str):
    if name == "celery_app":
        return create_app().extensions["celery"]
    raise AttributeError(name)
