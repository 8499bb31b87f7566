"""The ``flask`` command-line commands: database migrations and rubric checks."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from . import db as database
from . import users
from .rubric import Rubric, RubricError, load_file

db_cli = AppGroup("db", help="Create or upgrade the database schema.")
rubric_cli = AppGroup("rubric", help="Check rubric files.")


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def db_upgrade(revision: str) -> None:
    """Create or upgrade the database to the latest schema."""
    database.upgrade(current_app.config["SQLALCHEMY_URL"], revision)
    click.echo("Database is up to date.")


def summary(rubric: Rubric) -> str:
    """A short text summary of a valid rubric."""
    lines = [
        f"{rubric.id} {rubric.version}: {rubric.title}",
        f"  {len(rubric.dimensions)} dimensions, {len(rubric.items)} items, "
        f"{len(rubric.scenarios)} scenarios, about {rubric.estimated_minutes} minutes",
    ]
    for dim in rubric.dimensions:
        reverse = sum(1 for i in dim.items if i.keyed == "minus")
        lines.append(
            f"  - {dim.id}: {dim.name} (weight {dim.weight:g}; {len(dim.items)} items, "
            f"{reverse} reverse-keyed)"
        )
    lines.append("  bands: " + ", ".join(f"{b.label} {b.min:g}-{b.max:g}" for b in rubric.bands))
    return "\n".join(lines)


@rubric_cli.command("check")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
def rubric_check(files: tuple[str, ...]) -> None:
    """Validate rubric FILES (default: the loaded rubrics) and print a summary of each."""
    if not files:
        for rubric in current_app.extensions["quizapp.rubrics"].values():
            click.echo(summary(rubric))
        return
    failed = False
    for path in files:
        try:
            click.echo(summary(load_file(path)))
        except RubricError as exc:
            failed = True
            click.echo(str(exc), err=True)
    if failed:
        raise SystemExit(1)


users_cli = AppGroup("users", help="Manage admin and counselor accounts.")


def read_password(from_stdin: bool) -> str:
    """Read a new password from standard input, or prompt for it twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(1)


def existing_user(session, username: str):
    user = users.find_user(session, username)
    if user is None:
        fail(f"There is no user called {users.normalise_username(username)!r}.")
    return user


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(users.ROLES), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(username: str, role: str, password_stdin: bool) -> None:
    """Create an admin or counselor account."""
    session = database.session()
    try:
        user = users.create_user(session, username, read_password(password_stdin), role)
    except users.UserError as exc:
        fail(str(exc))
    session.commit()
    click.echo(f"Created {user.role} {user.username!r}.")


@users_cli.command("list")
def users_list() -> None:
    """List every account with its role and state."""
    rows = users.list_users(database.session())
    if not rows:
        click.echo("No accounts yet.")
    for user in rows:
        state = "active" if user.active else "disabled"
        click.echo(f"{user.username:<24} {user.role:<10} {state:<9} since {user.created_on}")


@users_cli.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Disable an account and end its open sessions."""
    session = database.session()
    user = existing_user(session, username)
    users.set_active(session, user, False)
    session.commit()
    click.echo(f"Disabled {user.username!r}; its open sessions have ended.")


@users_cli.command("enable")
@click.argument("username")
def users_enable(username: str) -> None:
    """Enable a disabled account again."""
    session = database.session()
    user = existing_user(session, username)
    users.set_active(session, user, True)
    session.commit()
    click.echo(f"Enabled {user.username!r}.")


@users_cli.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_set_password(username: str, password_stdin: bool) -> None:
    """Set a new password and end the account's open sessions."""
    session = database.session()
    user = existing_user(session, username)
    try:
        users.set_password(session, user, read_password(password_stdin))
    except users.UserError as exc:
        fail(str(exc))
    session.commit()
    click.echo(f"Password changed for {user.username!r}; its open sessions have ended.")


@users_cli.command("admin-hint")
def users_admin_hint() -> None:
    """Print how to create the first admin, if there is none yet."""
    if not any(u.role == "admin" and u.active for u in users.list_users(database.session())):
        click.echo(
            "No admin account exists yet. Create one with:\n"
            "  .venv/bin/flask --app quizapp users create YOUR-NAME --role admin"
        )


def register(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(rubric_cli)
    app.cli.add_command(users_cli)
