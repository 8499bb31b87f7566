"""The ``flask`` command-line commands, one module per group, and the demo-data generator."""

from __future__ import annotations

from flask import Flask

from .database import db_cli
from .demo_data import demo_cli
from .export import export_cli
from .results import results_cli
from .rubric import rubric_cli
from .users import users_cli


def register(app: Flask) -> None:
    for group in (db_cli, rubric_cli, users_cli, export_cli, results_cli, demo_cli):
        app.cli.add_command(group)
