"""The rubrics this app loaded at start-up, looked up by id."""

from __future__ import annotations

from flask import abort, current_app

from ..assessment.rubric import Rubric


def rubrics() -> dict[str, Rubric]:
    return current_app.extensions["quizapp.rubrics"]


def default_rubric() -> Rubric:
    return rubrics()[current_app.config["DEFAULT_RUBRIC"]]


def scored_with(rubric_id: str, version: str) -> Rubric | None:
    """The rubric version a result was scored with (current or archived), else the current one."""
    found = current_app.extensions["quizapp.rubric_versions"].get((rubric_id, version))
    return found or rubrics().get(rubric_id)


def rubric_or_404(rubric_id: str) -> Rubric:
    rubric = rubrics().get(rubric_id)
    if rubric is None:
        abort(404)
    return rubric
