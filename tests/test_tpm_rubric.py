"""The shipped TPM rubric: its shape meets the brief, and its extremes score as they should."""

import pytest

from quizapp.assessment.rubric import load_file
from quizapp.assessment.scoring import score
from tests.conftest import REAL_RUBRICS


@pytest.fixture(scope="module")
def tpm():
    return load_file(REAL_RUBRICS / "technical-project-manager.yaml")


def best_option(scenario):
    return max(scenario.options, key=lambda o: sum(o.points.values()))


def worst_option(scenario):
    return min(scenario.options, key=lambda o: sum(o.points.values()))


def test_shape(tpm):
    assert 6 <= len(tpm.dimensions) <= 8
    assert all(len(d.items) >= 3 for d in tpm.dimensions)
    assert all(any(i.keyed == "minus" for i in d.items) for d in tpm.dimensions)
    assert 4 <= len(tpm.scenarios) <= 6
    assert 5 <= len(tpm.fit_criteria) <= 7
    assert 5 <= len(tpm.not_fit_criteria) <= 7
    assert 8 <= tpm.estimated_minutes <= 12
    assert {b.id for b in tpm.bands} == {"strong", "possible", "not-obvious"}


def test_every_part_says_where_it_comes_from(tpm):
    parts = [*tpm.dimensions, *tpm.scenarios, *tpm.fit_criteria, *tpm.not_fit_criteria]
    assert all(p.source.strip() for p in parts)
    # Where the guide is silent, the source names a framework and says so.
    written_by_us = [
        c for c in [*tpm.fit_criteria, *tpm.not_fit_criteria] if "not in the guide" in c.source
    ]
    assert all(any(f in c.source for f in ("PMI", "PMBOK", "ladder")) for c in written_by_us)


def test_reverse_keyed_items_are_statements_not_negations(tpm):
    minus = [i for i in tpm.items if i.keyed == "minus"]
    assert all(not i.text.lower().startswith(("i do not", "i don't", "i am not")) for i in minus)


def test_an_ideal_tpm_gets_the_strongest_band(tpm):
    answers = {i.id: 5 if i.keyed == "plus" else 1 for i in tpm.items}
    answers |= {s.id: best_option(s).id for s in tpm.scenarios}
    result = score(tpm, answers)
    # Every item scores 100 and the best option earns every available scenario point.
    assert all(d.score == 100 for d in result.dimensions)
    assert result.overall == 100
    assert result.band == "strong"
    assert set(result.fit) == {c.id for c in tpm.fit_criteria}
    assert result.not_fit == ()


def test_someone_matching_every_not_fit_criterion_gets_the_weakest_band(tpm):
    answers = {i.id: 1 if i.keyed == "plus" else 5 for i in tpm.items}
    answers |= {s.id: worst_option(s).id for s in tpm.scenarios}
    result = score(tpm, answers)
    assert all(d.score == 0 for d in result.dimensions)
    assert result.overall == 0
    assert result.band == "not-obvious"
    assert set(result.not_fit) == {c.id for c in tpm.not_fit_criteria}
    assert result.fit == ()
    assert len(result.gaps) == tpm.scoring.max_gaps


def test_not_fit_criteria_point_to_roles_from_the_guide(tpm):
    guide_roles = {
        "Agile Project Manager",
        "IT Project Manager",
        "IT Project Leader",
        "Systems Analyst",
        "Technical Consultant",
        "Help Desk Support",
        "Technical Assistant",
    }
    assert {r.title for r in tpm.related_roles} == guide_roles
    assert all(tpm.related_role(c.related_role) for c in tpm.not_fit_criteria if c.related_role)
