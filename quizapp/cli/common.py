"""What the command groups share: the rubric a command is about, and failing with a message."""

from __future__ import annotations

import click
from flask import current_app

from ..assessment.rubric import Rubric


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
