"""Command-line groups, registered on the Flask CLI."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Each area owns its click group; this only mounts them."""
    from leads.articles.cli import articles_cli
    from leads.auth.cli import users_cli
    from leads.backup.cli import backup_command, restore_command
    from leads.devtools.cli import dev_cli
    from leads.doctor import doctor_command
    from leads.inbound.cli import mail_cli
    from leads.mail.cli import outbox_cli
    from leads.retention.cli import retention_cli
    from leads.wordpress.cli import sync_command

    articles_cli.add_command(sync_command)
    app.cli.add_command(articles_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(retention_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(doctor_command)
    app.cli.add_command(mail_cli)
    app.cli.add_command(dev_cli)
