"""Scoring against the mini rubric, with every expected value worked out by hand.

Mini rubric: alpha (weight 2) has plus items a1-a3 and minus item a4; beta (weight 1) has plus
items b1-b2 and minus items b3-b4. An answer v scores (v-1)/4*100 on a plus item and
(5-v)/4*100 on a minus item. The one scenario gives x = {alpha 4, beta 0}, y = {alpha 2, beta 4},
z = nothing; scenario points count 25% of a dimension.
"""

import pytest

from quizapp.assessment.rubric import load_file
from quizapp.assessment.scoring import NOTES, round_half_up, score
from tests.conftest import MINI_RUBRICS, REAL_RUBRICS


@pytest.fixture(scope="module")
def mini():
    return load_file(MINI_RUBRICS / "mini.yaml")


def answers(**changes):
    """'Agree' (4) on plus items, 'Disagree' (2) on minus items, option x; then changes."""
    base = {"a1": 4, "a2": 4, "a3": 4, "a4": 2, "b1": 4, "b2": 4, "b3": 2, "b4": 2, "s1": "x"}
    base.update(changes)
    return base


def test_agreeable_answers(mini):
    result = score(mini, answers())
    # alpha: items all 75; scenario x gives 4/4 = 100 -> 0.75*75 + 0.25*100 = 81.25
    # beta: items all 75; scenario x gives 0/4 = 0 -> 0.75*75 + 0.25*0 = 56.25
    assert result.dimension("alpha").score == pytest.approx(81.25)
    assert result.dimension("beta").score == pytest.approx(56.25)
    # overall: (2*81.25 + 1*56.25) / 3 = 218.75 / 3 = 72.916... -> 72.9
    assert result.overall == 72.9
    assert result.band == "high"
    assert result.strengths == ("alpha",)
    assert result.gaps == ()  # 56.25 is not below 55
    # f-b1: mean of b1 (75) and beta (56.25) = 65.6 < 70
    assert result.fit == ("f-alpha",)
    assert result.not_fit == ()
    assert (result.answered, result.total) == (8, 8)
    assert result.notes == ()


def test_ideal_answers_give_the_strongest_band(mini):
    ideal = answers(a1=5, a2=5, a3=5, a4=1, b1=5, b2=5, b3=1, b4=1, s1="y")
    result = score(mini, ideal)
    # alpha: 0.75*100 + 0.25*(2/4*100) = 87.5; beta: 0.75*100 + 0.25*100 = 100
    assert result.dimension("alpha").score == pytest.approx(87.5)
    assert result.dimension("beta").score == pytest.approx(100)
    assert result.overall == pytest.approx(91.7)  # (175 + 100) / 3 = 91.67
    assert result.band == "high"
    assert result.fit == ("f-alpha", "f-b1")
    assert result.not_fit == ()
    assert result.strengths == ("beta", "alpha")


def test_everything_unlike_the_role_gives_the_weakest_band(mini):
    worst = answers(a1=1, a2=1, a3=1, a4=5, b1=1, b2=1, b3=5, b4=5, s1="z")
    result = score(mini, worst)
    assert [d.score for d in result.dimensions] == [0, 0]
    assert result.overall == 0
    assert result.band == "low"
    assert result.fit == ()
    assert result.not_fit == ("n-beta", "n-alpha")
    assert result.gaps == ("alpha", "beta")  # equal scores keep rubric order
    assert result.strengths == ()


@pytest.mark.parametrize(("a4", "expected"), [(1, 100.0), (2, 75.0), (3, 50.0), (5, 0.0)])
def test_reverse_keyed_item_is_inverted(mini, a4, expected):
    # a1-a3 answered 3 (50 each); the minus item a4 scores (5 - a4) / 4 * 100.
    result = score(mini, answers(a1=3, a2=3, a3=3, a4=a4))
    assert result.dimension("alpha").likert == pytest.approx((50 * 3 + expected) / 4)


def test_not_sure_counts_as_missing_not_as_the_midpoint(mini):
    result = score(mini, answers(a1=None, a2=5))
    alpha = result.dimension("alpha")
    # Answered: a2 = 100, a3 = 75, a4 = 75 -> 83.33; a midpoint for a1 would have given 75.
    assert alpha.likert == pytest.approx(250 / 3)
    assert (alpha.answered, alpha.total) == (3, 4)
    assert alpha.score == pytest.approx(0.75 * 250 / 3 + 25)
    assert result.answered == 7


def test_fewer_than_three_quarters_answered_is_not_enough(mini):
    result = score(mini, answers(a1=None, a2=None))
    alpha = result.dimension("alpha")
    assert alpha.score is None and not alpha.enough
    assert (alpha.answered, alpha.total) == (2, 4)
    # Overall from beta alone (one of two dimensions is enough): 56.25 -> 56.3, the middle band.
    assert result.overall == 56.3
    assert result.band == "mid"
    # f-alpha has no evidence left; n-alpha keeps a4 (75) and does not apply.
    assert result.fit == ()
    assert result.not_fit == ()


def test_no_overall_when_most_dimensions_lack_answers(mini):
    result = score(mini, answers(a1=None, a2=None, b1=None, b2=None))
    assert result.overall is None
    assert result.band is None


def test_scenario_points_are_blended(mini):
    result = score(mini, answers(s1="y"))
    # alpha: 0.75*75 + 0.25*50 = 68.75; beta: 0.75*75 + 0.25*100 = 81.25
    assert result.dimension("alpha").scenario == pytest.approx(50)
    assert result.dimension("alpha").score == pytest.approx(68.75)
    assert result.dimension("beta").score == pytest.approx(81.25)
    assert result.overall == 72.9  # (137.5 + 81.25) / 3 = 72.92
    assert result.strengths == ("beta",)


def test_agreeing_with_an_item_and_its_reverse_twin_adds_a_note(mini):
    result = score(mini, answers(a1=5, a4=4))
    assert result.notes == ("contradictions",)
    assert "contradictions" in NOTES


def test_straight_lining_adds_a_note_and_still_scores_on_a_rubric_without_quality_rules():
    rubric = load_file(REAL_RUBRICS / "archive" / "technical-project-manager-1.0.0.yaml")
    same = {item.id: 4 for item in rubric.items}
    same.update({s.id: s.options[0].id for s in rubric.scenarios})
    result = score(rubric, same)
    assert "straight-lining" in result.notes
    assert result.band is not None


@pytest.mark.parametrize(
    ("overall", "band"),
    [(0, "low"), (49.99, "low"), (50, "mid"), (69.9, "mid"), (70, "high"), (100, "high")],
)
def test_band_edges(mini, overall, band):
    assert mini.band_for(overall).id == band


def test_band_follows_the_rounded_score_a_person_sees(mini):
    # 69.5 is shown as 70, so it must be in the 70+ band.
    assert mini.band_for(round_half_up(69.5)).id == "high"
    assert round_half_up(72.25, 1) == 72.3
