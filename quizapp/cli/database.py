"""``flask db``: create or upgrade the database schema."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..storage import db as database

db_cli = AppGroup("db", help="Create or upgrade the database schema.")


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
