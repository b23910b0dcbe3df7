"""`flask users …`: create accounts, set passwords, list, deactivate, and the first admin."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from leads.auth import accounts
from leads.extensions import db
from leads.models import Role

users_cli = AppGroup("users", help="Manage dashboard accounts.")

ROLES = click.Choice([role.value for role in Role])


def _prompt_password() -> str:
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _existing(email: str):
    user = accounts.find_user(email)
    if user is None:
        raise click.ClickException("No account has that email.")
    return user


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", type=ROLES, required=True)
@click.option("--name", default="", help="The person's name, shown in the dashboard.")
@click.option("--generate", is_flag=True, help="Generate a strong one-time password and print it.")
def create(email: str, role: str, name: str, generate: bool) -> None:
    """Create an account; the password is prompted for twice (hidden) unless --generate."""
    password = None if generate else _prompt_password()
    try:
        user, one_time = accounts.create_user(email, role, password, full_name=name)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {user.role} account {user.email}.")
    if one_time:
        click.echo(f"One-time password: {one_time}")
        click.echo("It must be replaced at the first login.")


@users_cli.command("set-password")
@click.option("--email", required=True)
@click.option("--generate", is_flag=True, help="Generate a strong one-time password and print it.")
def set_password(email: str, generate: bool) -> None:
    """Set an account's password; every login of that account ends."""
    user = _existing(email)
    if generate:
        password = accounts.reset_password(user, via="cli")
    else:
        try:
            accounts.set_password(user, _prompt_password(), via="cli")
        except accounts.AccountError as error:
            raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Password set for {user.email}.")
    if generate:
        click.echo(f"One-time password: {password}")


@users_cli.command("list")
def list_users() -> None:
    """Every account, active ones first."""
    for user in accounts.list_users():
        flags = [] if user.active else ["inactive"]
        if user.must_change_password:
            flags.append("must change password")
        last = user.last_login_at.strftime("%Y-%m-%d %H:%M UTC") if user.last_login_at else "never"
        suffix = f"  ({', '.join(flags)})" if flags else ""
        click.echo(f"{user.id:>5}  {user.email:<40} {user.role:<12} last login {last}{suffix}")


@users_cli.command("deactivate")
@click.option("--email", required=True)
def deactivate(email: str) -> None:
    """Stop an account from logging in; its open sessions end now."""
    user = _existing(email)
    accounts.set_active(user, False)
    db.session.commit()
    click.echo(f"Deactivated {user.email}.")


@users_cli.command("bootstrap-admin")
def bootstrap_admin() -> None:
    """On a fresh install only: create the first admin with a one-time password and print it.

    Prints nothing when any account exists, so `make run` can call it on every start.
    """
    if accounts.any_user_exists():
        return
    email = current_app.config["BOOTSTRAP_ADMIN_EMAIL"]
    try:
        user, one_time = accounts.create_user(email, Role.ADMIN.value, full_name="Administrator")
    except accounts.AccountError as error:
        raise click.ClickException(f"BOOTSTRAP_ADMIN_EMAIL: {error}") from None
    db.session.commit()
    click.echo(f"Admin login: {user.email}")
    click.echo(f"One-time password: {one_time}")
