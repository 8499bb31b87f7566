"""The ``flask`` command-line commands: database migrations and rubric checks."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from . import db as database
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


def register(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(rubric_cli)
