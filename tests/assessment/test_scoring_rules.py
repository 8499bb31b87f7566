"""Scoring rules a rubric may switch on (none of them changes a rubric that does not): how "Not
sure" counts, labels only clear of their line, and a technical core that needs positive evidence
in its statements. Every expected value worked out by hand on the mini rubric (tests/assessment/test_scoring.py
says how its items and scenario score).
"""

import datetime as dt

import pytest

from quizapp.assessment.rubric import BackingRule, CoreRule, NotSureRule, QualityRules, load_file
from quizapp.assessment.scoring import score
from quizapp.reporting.report import build_report
from quizapp.storage.results import build_result
from tests.conftest import MINI_RUBRICS


@pytest.fixture(scope="module")
def mini():
    return load_file(MINI_RUBRICS / "mini.yaml")


def with_rules(rubric, **rules):
    return rubric.model_copy(update={"scoring": rubric.scoring.model_copy(update=rules)})


def answers(**changes):
    """'Agree' (4) on plus items, 'Disagree' (2) on minus items, option x; then changes."""
    base = {"a1": 4, "a2": 4, "a3": 4, "a4": 2, "b1": 4, "b2": 4, "b3": 2, "b4": 2, "s1": "x"}
    base.update(changes)
    return base


def test_not_sure_counts_as_its_value_and_too_many_leave_an_area_unscored(mini):
    unsure = answers(a1=None)
    # Left out (no rule): alpha's items 75, 75, 75 -> 0.75 x 75 + 0.25 x 100 = 81.25
    assert score(mini, unsure).dimension("alpha").score == pytest.approx(81.25)
    rules = with_rules(mini, not_sure=NotSureRule(counts_as=25, most_per_area=1))
    # Counted as 25: (25 + 75 + 75 + 75) / 4 = 62.5 -> 0.75 x 62.5 + 25 = 71.875
    alpha = score(rules, unsure).dimension("alpha")
    assert alpha.score == pytest.approx(71.875) and alpha.unsure == 1
    # Two in alpha, more than one allowed: not enough to say, though 4 of 4 are "answered"
    two = score(rules, answers(a1=None, a2=None)).dimension("alpha")
    assert two.score is None and two.unsure == 2
    # Beta, untouched: 0.75 x 75 + 0 = 56.25 either way
    assert score(rules, unsure).dimension("beta").score == pytest.approx(56.25)


def test_leaving_out_one_s_lowest_answers_gains_nothing_when_not_sure_counts(mini):
    honest = answers(a4=4)  # a4 is minus-keyed: "Agree" scores 25, alpha's lowest
    strategic = answers(a4=None)
    rules = with_rules(mini, not_sure=NotSureRule(counts_as=25))
    # honest: (75 + 75 + 75 + 25) / 4 = 62.5; strategic, dropped: 75; counted: 62.5 again
    assert score(mini, strategic).dimension("alpha").likert == pytest.approx(75)
    assert score(rules, strategic).dimension("alpha").likert == pytest.approx(62.5)
    assert score(rules, honest).dimension("alpha").likert == pytest.approx(62.5)


def test_labels_only_clear_of_their_line(mini):
    rules = with_rules(mini, label_margin=5)
    result = score(rules, answers())
    # alpha 81.25 >= 70 + 5: a strength; beta 56.25 is within 5 of the gap line 55: around it
    assert result.strengths == ("alpha",) and result.gaps == ()
    assert result.around == ("beta",)
    # b1 "Neither" (3): beta items 50, 75, 75, 75 -> 68.75 x 0.75 = 51.5625, below 55 but by
    # less than 5: around, not a gap (without the margin, a gap)
    near_gap = answers(b1=3)
    assert score(mini, near_gap).gaps == ("beta",)
    assert score(rules, near_gap).gaps == () and score(rules, near_gap).around == ("beta",)
    # Everything on beta's side "Strongly disagree" with the role: 0 -> a gap, clearly
    low = answers(b1=1, b2=1, b3=5, b4=5)
    assert score(rules, low).gaps == ("beta",) and score(rules, low).around == ()


def test_the_core_needs_its_statements_not_only_its_scenarios(mini):
    core = CoreRule(dimension="beta", floor=60, capped_to="mid")
    neutral_core = answers(a1=5, a2=5, a3=5, a4=1, b1=3, b2=3, b3=3, b4=3, s1="y")
    # alpha: items 100, scenario y 2/4 = 50 -> 75 + 12.5 = 87.5
    # beta: items 50 ("Neither"), scenario y 4/4 = 100 -> 37.5 + 25 = 62.5 (above the floor)
    # overall (2 x 87.5 + 62.5) / 3 = 79.2: high
    floor_only = score(with_rules(mini, core=core), neutral_core)
    assert floor_only.dimension("beta").score == pytest.approx(62.5)
    assert (floor_only.band, floor_only.capped) == ("high", False)
    evidence = core.model_copy(update={"evidence": 62.5})
    capped = score(with_rules(mini, core=evidence), neutral_core)
    assert (capped.band, capped.capped) == ("mid", True)  # beta's statements: 50 < 62.5
    agreeing = score(with_rules(mini, core=evidence), {**neutral_core, "b1": 4, "b2": 4})
    # beta's statements (75 + 75 + 50 + 50) / 4 = 62.5: enough evidence, high again
    assert (agreeing.band, agreeing.capped) == ("high", False)


def test_the_result_page_says_what_the_rules_did(mini, app):
    rules = with_rules(mini, not_sure=NotSureRule(counts_as=25, most_per_area=2), label_margin=5)
    given = answers(a1=None)
    result = build_result(rules, given, score(rules, given))
    result.completed_on, result.token = dt.date(2026, 12, 7), "t" * 32
    # alpha 71.875 (counted "Not sure") is within 5 of the strength line, beta 56.25 of the gap line
    assert result.profile["around"] == ["alpha", "beta"]
    assert result.profile["unsure"] == {"alpha": 1}
    report = build_report(rules, result)
    assert [line.level for line in report.dimensions] == ["around", "around"]
    assert report.unsure_counted_as == "\u201cDisagree\u201d"
    with app.test_request_context():
        from flask import render_template

        page = render_template("quiz/result.html", report=report, comparison=None)
    assert "Around a line: another sitting could put it either side" in page
    assert "answers were counted as \u201cDisagree\u201d" in page and "1 in Alpha." in page
    assert "An area with more than 2 is not scored." in page
    plain = build_report(mini, build_result(mini, given, score(mini, given)))
    assert plain.unsure == () and "around" not in [line.level for line in plain.dimensions]


def role(role_id, profile):
    from quizapp.assessment.rubric import RelatedRole

    return RelatedRole(
        id=role_id, title=role_id.title(), description="A role.", source="Test", profile=profile
    )


def test_roles_by_shape_by_hand():
    from types import SimpleNamespace

    from quizapp.assessment.roles import rank_roles, shape
    from quizapp.assessment.rubric import RoleRule

    person = {"a": 80.0, "b": 60.0, "c": 40.0}  # centred: +20, 0, -20
    same = role("same", {"a": 60, "b": 50, "c": 40})  # centred +10, 0, -10: correlation 1
    lower = role("lower", {"a": 30, "b": 20, "c": 10})  # the same shape, 30 points lower
    mirror = role("mirror", {"a": 40, "b": 50, "c": 60})  # correlation -1
    flat = role("flat", {"a": 50, "b": 50, "c": 50})  # no shape at all
    level = role("level", {"a": 70, "b": 60, "c": 50})  # nearest in level: distance 8.2
    assert shape(same, person) == pytest.approx(1.0)
    assert shape(mirror, person) == pytest.approx(-1.0)
    assert shape(flat, person) is None
    assert shape(role("two", {"a": 1, "b": 2}), person) is None  # fewer than three shared
    roles = [flat, mirror, lower, level, same]
    by_level = SimpleNamespace(related_roles=roles, scoring=SimpleNamespace(roles=RoleRule()))
    assert next(r.id for r, _ in rank_roles(by_level, person)) == "level"
    by_shape = SimpleNamespace(
        related_roles=roles, scoring=SimpleNamespace(roles=RoleRule(by="shape", min_fit=0.3))
    )
    # same, lower and level all correlate 1: distance decides (level 8.2, same 12.9, lower 40.8)
    assert [r.id for r, _ in rank_roles(by_shape, person)] == ["level", "same", "lower"]


def test_when_no_role_fits_clearly_the_page_says_so(app):
    from quizapp.assessment.rubric import RoleRule
    from quizapp.assessment.simulation import Simulator
    from tests.conftest import REAL_RUBRICS

    tpm = load_file(REAL_RUBRICS / "technical-project-manager.yaml")
    strict = with_rules(tpm, roles=RoleRule(by="shape", min_fit=1.0))  # only a perfect match
    sim = Simulator(tpm, seed=4)
    given = sim.answers(sim.traits())
    scored = score(strict, given)
    assert scored.band is not None and scored.roles == () and scored.no_role_fits
    old = load_file(REAL_RUBRICS / "archive" / "technical-project-manager-2.0.0.yaml")
    assert score(old, given).roles and not score(old, given).no_role_fits  # 2.0.0: by level
    result = build_result(strict, given, scored)
    result.completed_on, result.token = dt.date(2026, 12, 7), "t" * 32
    assert result.profile["no_role_fits"] is True
    with app.test_request_context():
        from flask import render_template

        page = render_template(
            "quiz/result.html", report=build_report(strict, result), comparison=None
        )
    assert "None of the related roles fits the shape of your profile clearly" in page


def test_strong_needs_the_situations_to_back_the_statements(mini):
    given = answers()
    # alpha: items 75 each, scenario x 4 of 4 = 100 -> 0.75 x 75 + 25 = 81.25; beta: items 75,
    # scenario 0 of 4 -> 56.25; overall (2 x 81.25 + 56.25) / 3 = 72.9: High fit without the rule.
    assert score(mini, given).band == "high"
    # Said: (2 x 75 + 75) / 3 = 75.0; done: (2 x 100 + 0) / 3 = 66.7, short of 75 + 0.
    rules = with_rules(mini, backing=BackingRule(capped_to="mid"))
    result = score(rules, given)
    assert (result.said, result.done) == (75.0, 66.7)
    assert result.band == "mid" and result.unbacked and not result.capped
    # 66.7 reaches 75 - 9 = 66, and it reaches "enough" at 65: backed either way.
    assert score(with_rules(mini, backing=BackingRule(capped_to="mid", margin=-9)), given).band == (
        "high"
    )
    enough = score(with_rules(mini, backing=BackingRule(capped_to="mid", enough=65)), given)
    assert enough.band == "high" and not enough.unbacked
    # A band at or under the cap is never touched: statements at 50 -> overall below 70.
    low = score(rules, answers(a1=3, a2=3, a3=3, a4=3, b1=3, b2=3, b3=3, b4=3))
    assert low.band in ("low", "mid") and not low.unbacked


def test_quality_judged_with_the_persons_own_lean_taken_out(mini):
    # "Strongly agree" to every plus statement and "Agree" to every minus one: the twins are
    # both agreed with (a1/a4, b1/b4), and the keyed gaps are 100 - 25 = 75.
    leaning = answers(a1=5, a2=5, a3=5, a4=4, b1=5, b2=5, b3=4, b4=4)
    plain = QualityRules(min_pairs=1, max_both_sides=0.5, max_inconsistency=45)
    assert set(score(with_rules(mini, quality=plain), leaning).notes) == {
        "inconsistent",
        "both-sides",
    }
    # Lean = (5 x 5 + 3 x 4) / 8 - 3 = 1.625: plus answers become 3.375 ("Neither"), minus ones
    # 2.375 ("Disagree"); keyed 59.375 and 65.625, a gap of 6.25: a style, not carelessness.
    corrected = plain.model_copy(update={"lean_corrected": True})
    result = score(with_rules(mini, quality=corrected), leaning)
    assert result.notes == () and result.quality.inconsistency == pytest.approx(6.25)
    assert result.quality.both_sides == 0.0 and result.band is not None


def test_one_answer_throughout_gets_no_verdict(mini):
    only = QualityRules(min_pairs=1, max_same_answer=0.75, max_both_sides=1, max_inconsistency=100)
    rules = with_rules(mini, quality=only)
    # 6 of 8 statements "Agree" (a4 and b3 "Disagree"): 0.75 -> no verdict; 5 of 8 -> a band.
    same = score(rules, answers(b4=4))
    assert same.notes == ("same-answer",) and same.band is None
    assert score(rules, answers()).band is not None
