"""The ``flask`` command-line commands: database migrations, rubric checks, accounts, exports."""

from __future__ import annotations

import datetime as dt
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from ..assessment.item_stats import ITEM_FLAG_TEXT, explain
from ..assessment.lint import lint
from ..assessment.rubric import Rubric, RubricError, load_file
from ..assessment.sim_report import format_report
from ..assessment.simulation import Model, simulate
from ..assessment.stress import MODELS as STRESS_MODELS
from ..assessment.stress import format_stress, stress_figures
from ..auth.views import set_password_url
from ..reporting.exports import ExportRefused, export_chunks, rows_in
from ..reporting.item_review import rubric_quality
from ..reporting.stats import Filters, result_count
from ..storage import account_links, users
from ..storage import db as database
from ..storage.models import today, utc_now
from ..storage.results import purge_before
from .demo_data import demo_cli

db_cli = AppGroup("db", help="Create or upgrade the database schema.")
rubric_cli = AppGroup("rubric", help="Check rubric files.")


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def db_upgrade(revision: str) -> None:
    """Create or upgrade the database to the latest schema, and say which it did."""
    url = current_app.config["SQLALCHEMY_URL"]
    before = schema_revision(url)
    database.upgrade(url, revision)
    after = schema_revision(url)
    if before is None:
        click.echo(f"Created the database at {where(url)} (schema {after}).")
    elif before != after:
        click.echo(f"Upgraded the database to schema {after} (it was at {before}).")
    else:
        click.echo("Database is up to date.")


def schema_revision(url: str) -> str | None:
    """The Alembic revision the database is at; None if it has no schema yet."""
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def where(url: str) -> str:
    """A database's place for people: the SQLite file, or the URL without its password."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or "an in-memory SQLite database"
    return parsed.render_as_string(hide_password=True)


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
@click.option(
    "--stress",
    is_flag=True,
    help="Instead, the same figures under respondent models beyond the simulation's own.",
)
def rubric_simulate(
    rubric_file: str | None, people: int, seed: int, loading: float, stress: bool
) -> None:
    """Run simulated respondents with known traits through the real scoring (docs/validity.md).

    RUBRIC_FILE defaults to the default rubric. Prints reliability, rank recovery, retest
    agreement, bands by response style, unclear-sitting rates and related-role reach; with
    --stress, a table of figures under each stress model (uneven thresholds, a tendency to
    agree, a wording factor) with careless, faking and strategic "Not sure" sittings.
    """
    if rubric_file is None:
        rubric = current_app.extensions["quizapp.rubrics"][current_app.config["DEFAULT_RUBRIC"]]
    else:
        try:
            rubric = load_file(rubric_file)
        except RubricError as exc:
            fail(str(exc))
    if stress:
        figures = []
        for model in STRESS_MODELS:
            _progress(f"stress model: {model.name}")
            figures.append(stress_figures(rubric, model, people, seed, loading))
        click.echo(format_stress(rubric, figures))
        return
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


export_cli = AppGroup("export", help="Export results, summaries or the codebook.")


def export_options(formats: tuple[str, ...]):
    """The filters every export takes, the same as on the admin dashboard."""

    def decorate(command):
        for option in reversed(
            [
                click.option(
                    "--format", "fmt", type=click.Choice(formats), default="csv", show_default=True
                ),
                click.option(
                    "--since", type=click.DateTime(["%Y-%m-%d"]), help="First day (YYYY-MM-DD)."
                ),
                click.option(
                    "--until", type=click.DateTime(["%Y-%m-%d"]), help="Last day (YYYY-MM-DD)."
                ),
                click.option(
                    "--rubric", "rubric_id", help="Rubric id (default: the default quiz)."
                ),
                click.option("--version", "rubric_version", help="Rubric version."),
                click.option("--link", "link_id", type=int, help="Quiz link id."),
                click.option("--bom", is_flag=True, help="Start a CSV with a UTF-8 BOM (Excel)."),
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

    return decorate


def run_export(name, fmt, since, until, rubric_id, rubric_version, link_id, bom, output) -> None:
    if bom and fmt != "csv":
        fail("--bom applies to CSV only (JSON must not start with one).")
    if fmt == "xlsx" and output is None:
        fail("Give -o FILE for an XLSX workbook.")
    rubric = versioned_rubric(rubric_id, rubric_version)
    filters = Filters(
        since=since.date() if since else None,
        until=until.date() if until else None,
        rubric_id=rubric.id,
        rubric_version=rubric.version,  # versions are never mixed: their questions differ
        link_id=link_id,
    )
    session = database.session()
    try:
        chunks = export_chunks(session, name, fmt, filters, rubric, bom)
    except ExportRefused as exc:
        fail(str(exc))
    if output is None:
        for chunk in chunks:
            click.echo(chunk, nl=False)  # bytes go to the binary stream as they are
        return
    rows = result_count(session, filters) if name == "results" else 0
    with (
        open(output, "wb") as out,
        click.progressbar(length=rows, label=f"Writing {output}", file=sys.stderr) as bar,
    ):
        for chunk in chunks:
            out.write(chunk)
            if fmt != "xlsx":  # a workbook arrives whole, at the end
                bar.update(rows_in(chunk))
    click.echo(f"Wrote {output}.", err=True)


@export_cli.command("results")
@export_options(("csv", "json", "xlsx"))
def export_results(**options) -> None:
    """One row per result: ids, date, link, band, scores and answer codes (never the token).

    XLSX carries the codebook as its second sheet. A link with fewer than
    QUIZAPP_COHORT_MIN_SIZE results is not named in any row, and filters that select fewer
    results than that are refused.
    """
    run_export("results", **options)


@export_cli.command("summary")
@export_options(("csv", "json"))
def export_summary(**options) -> None:
    """The dashboard's figures, under its rules; refused for fewer than k results."""
    run_export("summary", **options)


@export_cli.command("codebook")
@export_options(("csv", "json"))
def export_codebook(**options) -> None:
    """What each column of the results export holds: questions, codes, rounding."""
    run_export("codebook", **options)


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


@results_cli.command("fold")
def results_fold() -> None:
    """Add the results stored since the last read to the dashboard's running totals.

    Dashboards do this themselves when they are opened; run it from a scheduler (every few
    minutes) to keep that first view quick on a busy service.
    """
    from ..reporting.stats import fold_pending

    count = fold_pending(database.session())
    click.echo(f"Added {count} {'result' if count == 1 else 'results'} to the running totals.")


def register(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(rubric_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(export_cli)
    app.cli.add_command(results_cli)
    app.cli.add_command(demo_cli)
