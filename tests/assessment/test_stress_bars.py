"""Rubric 2.2.0 against the stress lab: the bars it must reach under the base model and under each
stress model (1,200 simulated people per model, seed 1, item loading .6), beside 2.0.0, which the
same lab shows missing them. Where 2.2.0 still misses a goal of the review, the test pins what it
does reach, names the goal and docs/validity.md says why (the goals marked "not met" there)."""

import functools

import pytest

from quizapp.assessment.rubric import load_file
from quizapp.assessment.stress import MODELS, stress_figures
from tests.conftest import REAL_RUBRICS

PEOPLE = 1200
NAMES = [m.name for m in MODELS]


@functools.cache
def figures(version: str, model: str):
    path = REAL_RUBRICS / "technical-project-manager.yaml"
    if version != "current":
        path = REAL_RUBRICS / "archive" / f"technical-project-manager-{version}.yaml"
    stress = next(m for m in MODELS if m.name == model)
    return stress_figures(load_file(path), stress, PEOPLE, seed=1)


@pytest.mark.parametrize("model", NAMES)
def test_met_under_every_model(model):
    f = figures("current", model)
    assert f.alpha_min >= 0.70, f.alpha_min
    assert f.flagged_once <= 0.05 and f.flagged_either <= 0.08, (f.flagged_once, f.flagged_either)
    assert f.no_verdict["random"] >= 0.80
    # Shading every statement one step no longer pays: at most twice the honest Strong rate.
    assert f.strong["mild-faker"] <= 2 * f.strong["honest"], f.strong
    assert abs(f.not_sure_gain) <= 2, f.not_sure_gain
    assert f.top_role_share <= 0.40, f.top_role_share
    # Strengths and gaps are named only clear of their line: the area is on the same side of
    # that line on a retest at least 80% of the time.
    assert f.label_side >= 0.80, f.label_side
    # "Near the line" reaches nine in ten of the people whose band changes on a retest.
    assert f.changes_told >= 0.85, f.changes_told


@pytest.mark.parametrize("model", ["base", "uneven", "agreeing"])
def test_honest_people_at_plus_one_and_a_half_sd_still_reach_strong(model):
    assert figures("current", model).strong_at_plus_1_5 >= 0.80


@pytest.mark.parametrize("model", NAMES)
def test_better_than_2_0_0_where_the_goal_is_not_yet_met(model):
    """Not met (docs/validity.md): same band on retest >= 85%, half-careless without a verdict
    >= 60%, Strong at +1.5 sd >= 80% under the wording model, and a strength or gap named again
    (not only on the same side of its line) on retest >= 80%. 2.2.0 holds what it reaches."""
    new, old = figures("current", model), figures("2.0.0", model)
    assert new.same_band >= 0.80 and new.same_band >= old.same_band - 0.01
    assert new.no_verdict["half-careless"] >= 0.45
    assert new.strong_at_plus_1_5 >= 0.65
    assert new.label_kept >= 0.60


def test_2_0_0_misses_the_bars_2_2_0_meets():
    """The lab tells the versions apart: 2.0.0 fails the shading, "Not sure" and role bars."""
    for model in NAMES:
        old = figures("2.0.0", model)
        assert old.strong["mild-faker"] > 5 * old.strong["honest"]
        assert old.not_sure_gain > 5
        assert old.top_role_share > 0.40
