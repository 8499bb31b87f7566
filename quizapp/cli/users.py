"""``flask users``: admin and counselor accounts."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from ..identity import set_password_url
from ..storage import account_links, users
from ..storage import db as database
from ..storage.models import utc_now
from .common import fail

users_cli = AppGroup("users", help="Manage admin and counselor accounts.")


def read_password(from_stdin: bool) -> str:
    """Read a new password from standard input, or prompt for it twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def existing_user(session, username: str):
    user = users.find_user(session, username)
    if user is None:
        fail(f"There is no user called {users.normalise_username(username)!r}.")
    return user


def print_password_link(user, base_url: str | None) -> None:
    """Issue a set-password link for ``user``, commit, and print it with how long it works."""
    session = database.session()
    hours = current_app.config["SET_PASSWORD_HOURS"]
    issued = account_links.issue(session, user, hours, utc_now())
    session.commit()
    click.echo(
        f"Send this set-password link to {user.username!r}; it works once, for {hours} hours:\n"
        f"  {set_password_url(issued.token, base_url)}"
    )


BASE_URL_HELP = "The app's address for the link (default: QUIZAPP_BASE_URL or SERVER_NAME)."


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(users.ROLES), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--password-prompt", is_flag=True, help="Prompt for the password (twice).")
@click.option("--base-url", help=BASE_URL_HELP)
def users_create(
    username: str, role: str, password_stdin: bool, password_prompt: bool, base_url: str | None
) -> None:
    """Create an admin or counselor account and print its set-password link.

    With --password-stdin or --password-prompt the password is set here instead (scripted
    set-ups), and no link is made.
    """
    session = database.session()
    password = None
    if password_stdin or password_prompt:
        password = read_password(password_stdin)
    try:
        user = users.create_user(session, username, password, role)
    except users.UserError as exc:
        fail(str(exc))
    session.commit()
    click.echo(f"Created {user.role} {user.username!r}.")
    if password is None:
        print_password_link(user, base_url)


@users_cli.command("reset")
@click.argument("username")
@click.option("--base-url", help=BASE_URL_HELP)
def users_reset(username: str, base_url: str | None) -> None:
    """Print a new set-password link; the current password works until a new one is set."""
    user = existing_user(database.session(), username)
    if not user.active:
        fail(f"{user.username!r} is disabled; enable it first.")
    print_password_link(user, base_url)


@users_cli.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice(users.ROLES))
def users_role(username: str, role: str) -> None:
    """Make an account an admin or a counselor, keeping its password (never the last admin)."""
    session = database.session()
    user = existing_user(session, username)
    try:
        changed = users.set_role(session, user, role)
    except users.UserError as exc:
        fail(str(exc))
    session.commit()
    if not changed:
        click.echo(f"{user.username!r} is already {users.A_ROLE[role]}.")
    elif role == "admin":
        click.echo(promotion_note(user.username))
    else:
        click.echo(f"{user.username!r} is now {users.A_ROLE[role]}.")


def promotion_note(username: str) -> str:
    """What a promotion kept, and how to give the new admin an admin-length password."""
    # Unlike a promotion on the accounts page, the password stays: this is how an admin
    # locked out of the pages gets back in, with the password they know.
    flask = ".venv/bin/flask --app quizapp users"
    return (
        f"{username!r} is now an admin and keeps their password and open sessions.\n"
        f"An admin's password needs at least {users.ADMIN_PASSWORD_MIN} characters, and theirs "
        "may be shorter. To give them a new one:\n"
        f"  {flask} set-password {username}\n"
        "or, for a set-password link to send them:\n"
        f"  {flask} reset {username}"
    )


@users_cli.command("remove")
@click.argument("username")
@click.option("--links-to", "links_to", help="The admin who takes over the account's quiz links.")
@click.option("--archive-links", is_flag=True, help="Archive the account's quiz links.")
def users_remove(username: str, links_to: str | None, archive_links: bool) -> None:
    """Delete an account and end its sessions; its quiz links pass to an admin; results stay.

    Links always need an owner: with --archive-links alone they are archived and pass to the
    longest-standing active admin; --links-to names another.
    """
    session = database.session()
    user = existing_user(session, username)
    owned = users.link_count(session, user)
    if links_to:
        holder = existing_user(session, links_to)
    elif owned and not archive_links:
        fail(
            f"{user.username!r} holds {owned} quiz {'link' if owned == 1 else 'links'}: "
            "give --links-to ADMIN or --archive-links."
        )
    else:
        others = [a for a in users.active_admins(session) if a.id != user.id]
        holder = min(others, key=lambda a: a.id) if others else None
        if holder is None and owned:
            fail("There is no other active admin to take over the account's quiz links.")
    try:
        moved = users.remove_user(session, user, holder, archive=archive_links)
    except users.UserError as exc:
        fail(str(exc))
    session.commit()
    click.echo(users.removal_summary(user, moved, holder, archive_links))


@users_cli.command("list")
def users_list() -> None:
    """List every account with its role and state."""
    rows = users.list_users(database.session())
    if not rows:
        click.echo("No accounts yet.")
    for user in rows:
        state = "active" if user.active else "disabled"
        if user.active and not user.has_password:
            state = "no-password"
        last = user.last_sign_in_on or "never"
        click.echo(
            f"{user.username:<24} {user.role:<10} {state:<11} since {user.created_on}  "
            f"last sign-in {last}"
        )


def set_user_active(username: str, active: bool) -> None:
    session = database.session()
    user = existing_user(session, username)
    try:
        users.set_active(session, user, active)
    except users.UserError as exc:
        fail(str(exc))
    session.commit()
    if active:
        click.echo(f"Enabled {user.username!r}.")
    else:
        click.echo(f"Disabled {user.username!r}; its open sessions have ended.")


@users_cli.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Disable an account and end its open sessions."""
    set_user_active(username, False)


@users_cli.command("enable")
@click.argument("username")
def users_enable(username: str) -> None:
    """Enable a disabled account again."""
    set_user_active(username, True)


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


@users_cli.command("purge-sessions")
def users_purge_sessions() -> None:
    """Delete staff sessions that have ended (idle or too old); live ones are kept."""
    session = database.session()
    limits = users.SessionLimits.from_config(current_app.config)
    count = users.purge_ended_sessions(session, limits, utc_now())
    session.commit()
    click.echo(f"Removed {count} ended {'session' if count == 1 else 'sessions'}.")


@users_cli.command("admin-hint")
def users_admin_hint() -> None:
    """Print how to create the first admin, if there is none yet."""
    if not any(u.role == "admin" and u.active for u in users.list_users(database.session())):
        click.echo(
            "No admin account exists yet. Create one with:\n"
            "  .venv/bin/flask --app quizapp users create YOUR-NAME --role admin --password-prompt\n"
            "(without --password-prompt it prints a link for choosing the password in a browser)"
        )
