"""``flask results``: purge old results, fold new ones into the running totals."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import AppGroup

from ..storage import db as database
from ..storage.models import today
from ..storage.results import purge_before
from .common import fail

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
