"""`flask articles …`"""

from flask.cli import AppGroup

articles_cli = AppGroup("articles", help="Import and list treatment articles.")
