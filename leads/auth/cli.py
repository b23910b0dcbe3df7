"""`flask users …`"""

from flask.cli import AppGroup

users_cli = AppGroup("users", help="Manage dashboard accounts.")
