"""`flask outbox …`"""

from flask.cli import AppGroup

outbox_cli = AppGroup("outbox", help="Inspect and drive the email outbox.")
