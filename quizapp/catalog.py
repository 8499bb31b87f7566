"""The rubrics this app loaded at start-up, looked up by id."""

from __future__ import annotations

from flask import abort, current_app

from .assessment.rubric import Rubric


def rubrics() -> dict[str, Rubric]:
    return current_app.extensions["quizapp.rubrics"]


def default_rubric() -> Rubric:
    return rubrics()[current_app.config["DEFAULT_RUBRIC"]]


def rubric_or_404(rubric_id: str) -> Rubric:
    rubric = rubrics().get(rubric_id)
    if rubric is None:
        abort(404)
    return rubric
