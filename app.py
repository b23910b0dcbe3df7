"""Entry point: `flask --app app run` finds `create_app`; Celery uses `-A app:celery_app`.

Nothing is built at import time: `celery_app` is created on first access, from
`create_app()`, so the worker gets the same configuration as the web app.
"""

import tasks  # noqa: F401  (celery -A puts the cwd on sys.path only while importing this module)
from leads import create_app

__all__ = ["create_app"]  # and `celery_app`, built on first access


def __getattr__(name: str):
    if name == "celery_app":
        return create_app().extensions["celery"]
    raise AttributeError(name)
