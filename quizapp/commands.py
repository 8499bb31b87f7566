"""The ``flask`` command-line commands: database migrations and rubric checks."""

from __future__ import annotations

import datetime as dt
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from . import db as database
from . import users
from .assessment.item_stats import ITEM_FLAG_TEXT, explain
from .assessment.lint import lint
from .assessment.rubric import Rubric, RubricError, load_file
from .assessment.sim_report import format_report
from .assessment.simulation import Model, simulate
from .exports import export_chunks
from .models import today, utc_now
from .results import purge_before
from .rubric_quality import rubric_quality
from .seed import demo_cli
from .stats import Filters, result_count

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


def summary_and_warnings(rubric: Rubric) -> str:
    """The summary, then every lint warning with its place in the file."""
    warnings = lint(rubric)
    lines = [summary(rubric)]
    if warnings:
        lines.append(f"  {len(warnings)} warning(s):")
        lines += [f"    warning: {w}" for w in warnings]
    else:
        lines.append("  no warnings")
    return "\n".join(lines)


@rubric_cli.command("check")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
def rubric_check(files: tuple[str, ...]) -> None:
    """Validate rubric FILES (default: the loaded rubrics); print a summary and lint warnings."""
    if not files:
        for rubric in current_app.extensions["quizapp.rubrics"].values():
            click.echo(summary_and_warnings(rubric))
        return
    failed = False
    for path in files:
        try:
            click.echo(summary_and_warnings(load_file(path)))
        except RubricError as exc:
            failed = True
            click.echo(str(exc), err=True)
    if failed:
        raise SystemExit(1)


@rubric_cli.command("simulate")
@click.argument("rubric_file", required=False, type=click.Path(dir_okay=False))
@click.option("--people", default=2000, show_default=True, type=click.IntRange(50, 200_000))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--loading", default=0.6, show_default=True, type=click.FloatRange(0.1, 0.95))
def rubric_simulate(rubric_file: str | None, people: int, seed: int, loading: float) -> None:
    """Run simulated respondents with known traits through the real scoring (docs/validity.md).

    RUBRIC_FILE defaults to the default rubric. Prints reliability, rank recovery, retest
    agreement, bands by response style, unclear-sitting rates and related-role reach.
    """
    if rubric_file is None:
        rubric = current_app.extensions["quizapp.rubrics"][current_app.config["DEFAULT_RUBRIC"]]
    else:
        try:
            rubric = load_file(rubric_file)
        except RubricError as exc:
            fail(str(exc))
    report = simulate(
        rubric, people=people, seed=seed, model=Model(loading=loading), progress=_progress
    )
    click.echo(format_report(rubric, report))


def _progress(message: str) -> None:
    click.echo(f"... {message}", err=True)


@rubric_cli.command("analyze")
@click.argument("rubric_id", required=False)
@click.option("--version", "rubric_version", help="Only results of this rubric version.")
def rubric_analyze(rubric_id: str | None, rubric_version: str | None) -> None:
    """Cronbach's alpha and item-total correlations per dimension, from stored answers."""
    rubric = versioned_rubric(rubric_id, rubric_version)
    filters = Filters(rubric_id=rubric.id, rubric_version=rubric.version)
    report = rubric_quality(database.session(), rubric, filters)
    click.echo(f"{rubric.id} {rubric.version}")
    for line in report.dimensions:
        rel = line.reliability
        alpha = "n/a" if rel.alpha is None else f"{rel.alpha:.2f}"
        flag = f"  [{rel.flag}]" if rel.flag else ""
        click.echo(f"\n{line.dimension.name}: alpha {alpha}, {rel.n} complete answers{flag}")
        click.echo(f"  {explain(rel)}")
        for item, stat in zip(line.dimension.items, rel.items, strict=True):
            r = "n/a" if stat.corrected_item_total is None else f"{stat.corrected_item_total:+.2f}"
            note = f"  <- {ITEM_FLAG_TEXT[stat.flag]}" if stat.flag else ""
            click.echo(f"  {item.id:<10} r {r}  {item.text[:60]}{note}")


users_cli = AppGroup("users", help="Manage admin and counselor accounts.")


def read_password(from_stdin: bool) -> str:
    """Read a new password from standard input, or prompt for it twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def versioned_rubric(rubric_id: str | None, version: str | None) -> Rubric:
    """The rubric (default: the default quiz) at a version (default: its current one)."""
    loaded = current_app.extensions["quizapp.rubrics"]
    current = loaded.get(rubric_id or current_app.config["DEFAULT_RUBRIC"])
    if current is None:
        fail(f"Unknown rubric {rubric_id!r}; loaded: {', '.join(sorted(loaded))}.")
    if version is None or version == current.version:
        return current
    found = current_app.extensions["quizapp.rubric_versions"].get((current.id, version))
    if found is None:
        fail(
            f"Version {version!r} of {current.id} is not loaded (rubrics/archive/ keeps old ones)."
        )
    return found


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


def set_user_active(username: str, active: bool) -> None:
    session = database.session()
    user = existing_user(session, username)
    users.set_active(session, user, active)
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
            "  .venv/bin/flask --app quizapp users create YOUR-NAME --role admin"
        )


export_cli = AppGroup("export", help="Export results or summaries as CSV or JSON.")


def export_options(command):
    """The filters every export takes, the same as on the admin dashboard."""
    for option in reversed(
        [
            click.option(
                "--format",
                "fmt",
                type=click.Choice(["csv", "json"]),
                default="csv",
                show_default=True,
            ),
            click.option(
                "--since", type=click.DateTime(["%Y-%m-%d"]), help="First day (YYYY-MM-DD)."
            ),
            click.option(
                "--until", type=click.DateTime(["%Y-%m-%d"]), help="Last day (YYYY-MM-DD)."
            ),
            click.option("--rubric", "rubric_id", help="Rubric id (default: the default quiz)."),
            click.option("--version", "rubric_version", help="Rubric version."),
            click.option("--link", "link_id", type=int, help="Quiz link id."),
            click.option(
                "-o",
                "--output",
                type=click.Path(dir_okay=False, writable=True),
                help="Write to this file (default: standard output).",
            ),
        ]
    ):
        command = option(command)
    return command


def run_export(name, fmt, since, until, rubric_id, rubric_version, link_id, output) -> None:
    rubric = versioned_rubric(rubric_id, rubric_version)
    filters = Filters(
        since=since.date() if since else None,
        until=until.date() if until else None,
        rubric_id=rubric.id,
        rubric_version=rubric.version,  # versions are never mixed: their questions differ
        link_id=link_id,
    )
    session = database.session()
    if output is None:
        for chunk in export_chunks(session, name, fmt, filters, rubric):
            click.echo(chunk, nl=False)
        return
    rows = result_count(session, filters) if name == "results" else None
    with (
        open(output, "w", encoding="utf-8", newline="") as out,
        click.progressbar(length=rows, label=f"Writing {output}", file=sys.stderr) as bar,
    ):
        for chunk in export_chunks(session, name, fmt, filters, rubric, lambda: bar.update(1)):
            out.write(chunk)
    click.echo(f"Wrote {output}.", err=True)


@export_cli.command("results")
@export_options
def export_results(**options) -> None:
    """One row per result: date, rubric, link label, band, scores and answers (never the token)."""
    run_export("results", **options)


@export_cli.command("summary")
@export_options
def export_summary(**options) -> None:
    """The dashboard's aggregates: totals, bands, dimensions, links, counselors and weeks."""
    run_export("summary", **options)


results_cli = AppGroup("results", help="Manage stored results.")


@results_cli.command("purge")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=1),
    default=None,
    help="Remove results completed more than DAYS days ago (default: QUIZAPP_RETENTION_DAYS).",
)
@click.option("--dry-run", is_flag=True, help="Only say how many would be removed.")
def results_purge(days: int | None, dry_run: bool) -> None:
    """Remove results older than the retention period, with their scores and totals."""
    days = days or current_app.config.get("RETENTION_DAYS")
    if not days:
        fail("Give --older-than DAYS, or set QUIZAPP_RETENTION_DAYS.")
    cutoff = today() - dt.timedelta(days=days)
    count = purge_before(database.session(), cutoff, dry_run=dry_run)
    verb = "Would remove" if dry_run else "Removed"
    click.echo(f"{verb} {count} {'result' if count == 1 else 'results'} completed before {cutoff}.")


def register(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(rubric_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(export_cli)
    app.cli.add_command(results_cli)
    app.cli.add_command(demo_cli)
