"""The shipped TPM rubric 2.2.0: its shape meets the brief, its sources are honest, and its
extremes, its technical core and its response-quality rules score as they should."""

import re
from collections import Counter

import pytest

from quizapp.assessment.lint import clauses, cue_hits, lint, reading_grade, words
from quizapp.assessment.rubric import load_file
from quizapp.assessment.scoring import score
from tests.conftest import REAL_RUBRICS

GUIDE_ROLES = {
    "Agile Project Manager",
    "IT Project Manager",
    "IT Project Leader",
    "Systems Analyst",
    "Technical Consultant",
    "Help Desk Support",
    "Technical Assistant",
}


@pytest.fixture(scope="module")
def tpm():
    return load_file(REAL_RUBRICS / "technical-project-manager.yaml")


def best_option(scenario):
    return max(scenario.options, key=lambda o: sum(o.points.values()))


def worst_option(scenario):
    return min(scenario.options, key=lambda o: sum(o.points.values()))


def attentive(tpm):
    return {c.id: c.accept[0] for c in tpm.checks}


def keyed_answers(tpm, keyed_value_by_dimension):
    """Answers whose keyed score is the given 0-100 value (0, 25, 50, 75, 100) per dimension."""
    answers = attentive(tpm)
    for dim in tpm.dimensions:
        steps = keyed_value_by_dimension[dim.id] // 25
        for item in dim.items:
            answers[item.id] = 1 + steps if item.keyed == "plus" else 5 - steps
    return answers


def test_shape(tpm):
    assert tpm.version == "2.2.0"
    assert len(tpm.dimensions) == 7
    for dim in tpm.dimensions:
        assert len(dim.items) == 6
        assert sum(1 for i in dim.items if i.keyed == "plus") == 3
        assert dim.levels is not None
        # Each minus statement mirrors one plus statement, and each plus statement is mirrored once.
        twins = [i.twin for i in dim.items if i.keyed == "minus"]
        assert sorted(twins) == sorted(i.id for i in dim.items if i.keyed == "plus")
    assert len(tpm.scenarios) == 7 and all(len(s.options) == 4 for s in tpm.scenarios)
    touched = {d for s in tpm.scenarios for d in s.options[0].points}
    assert touched == {d.id for d in tpm.dimensions}
    assert len(tpm.checks) == 2
    assert tpm.question_count == 42 + 2 + 7
    assert tpm.estimated_minutes == 10
    assert {b.id for b in tpm.bands} == {"strong", "possible", "not-obvious"}


def test_the_shipped_rubric_passes_every_lint_rule(tpm):
    assert lint(tpm) == []
    assert max(reading_grade(i.text) for i in tpm.items) <= 8


def test_scenario_options_are_of_similar_length_and_the_best_is_not_always_longest(tpm):
    best_is_longest = 0
    for scenario in tpm.scenarios:
        lengths = [len(o.text) for o in scenario.options]
        assert max(lengths) <= 1.25 * min(lengths), scenario.id
        best_is_longest += len(best_option(scenario).text) == max(lengths)
        # Options score each dimension separately: no single option is best everywhere in most.
    assert best_is_longest <= 3
    mixed = [
        s
        for s in tpm.scenarios
        if not any(all(o.points[d] == 4 for d in o.points) for o in s.options)
    ]
    assert len(mixed) >= 3


def test_sources_are_honest(tpm):
    for c in tpm.not_fit_criteria:
        # The guide's "may not be ideal" list is lost: none of these can be the guide's words.
        assert c.source.endswith("(not in the guide)"), c.id
        assert c.based_on
    for c in tpm.fit_criteria:
        assert c.source.startswith("Guide:") and c.based_on
    assert {r.title for r in tpm.related_roles if r.in_guide} == GUIDE_ROLES
    extra = [r for r in tpm.related_roles if not r.in_guide]
    assert [r.title for r in extra] == ["Software Engineer"]
    assert all(r.profile and r.rationale for r in tpm.related_roles)


def honest(source):
    """A guide section, a framework marked as not in the guide, or the authors' judgement."""
    return (
        source.startswith("Guide:")
        or "(not in the guide)" in source
        or "authors' judgement" in source.lower()
    )


def test_every_statement_names_its_source(tpm):
    for item in tpm.items:
        assert item.source and honest_source(item.source), item.id


def test_every_scenario_says_why_its_best_option_is_best(tpm):
    for scenario in tpm.scenarios:
        key = scenario.key_source
        assert key and (
            "Guide: " in key or "(not in the guide)" in key or "authors' judgement" in key
        ), scenario.id
        # It names the option that really scores best.
        assert key.startswith(f"{best_option(scenario).id} is best: "), scenario.id


def opening(item):
    return " ".join(re.findall(r"[\w']+", item.text.lower())[:2])


def test_no_opening_is_shared_by_more_than_a_third_of_the_minus_statements(tpm):
    minus = [i for i in tpm.items if i.keyed == "minus"]
    for words_, count in Counter(opening(i) for i in minus).items():
        assert count <= len(minus) / 3, words_


def test_the_first_two_words_do_not_tell_the_keying(tpm):
    by_opening = {}
    for item in tpm.items:
        by_opening.setdefault(opening(item), Counter())[item.keyed] += 1
    for words_, keyed in by_opening.items():
        # No opening is used more than twice by one keying alone ...
        assert len(keyed) == 2 or sum(keyed.values()) <= 2, (words_, keyed)
        # ... and one both use is not mostly one keying's.
        assert max(keyed.values()) - min(keyed.get("plus", 0), keyed.get("minus", 0)) <= 2


@pytest.mark.parametrize("phrase", ["i like", "i'd rather", "i prefer", "i enjoy", "i want"])
def test_no_liking_phrase_belongs_to_one_keying(tpm, phrase):
    # In 2.1.0 favourable statements said "I like ..." and reverse-keyed ones "I'd rather ...".
    uses = Counter(i.keyed for i in tpm.items if phrase in i.text.lower())
    assert abs(uses["plus"] - uses["minus"]) <= 1, uses


def test_statements_pointing_either_way_are_alike_in_length(tpm):
    lengths = {i.id: words(i.text) for i in tpm.items}
    plus = [n for i, n in lengths.items() if tpm.item(i).keyed == "plus"]
    minus = [n for i, n in lengths.items() if tpm.item(i).keyed == "minus"]
    assert abs(sum(plus) / len(plus) - sum(minus) / len(minus)) <= 1
    for minus_id, plus_id in tpm.twins:
        assert abs(lengths[minus_id] - lengths[plus_id]) <= 4, (minus_id, plus_id)


def test_no_surface_cue_finds_the_best_scenario_option(tpm):
    quarter = len(tpm.scenarios) / 4
    assert cue_hits(tpm, words) <= quarter
    assert cue_hits(tpm, clauses) <= quarter
    # Nor do the words of a careful-sounding answer.
    keywords = re.compile(r"\b(agree|together|plan|meet)", re.IGNORECASE)
    assert cue_hits(tpm, lambda text: len(keywords.findall(text))) <= quarter
    # Nor does picking the shortest or the plainest option.
    assert cue_hits(tpm, lambda text: -words(text)) <= quarter
    assert cue_hits(tpm, lambda text: -clauses(text)) <= quarter


FRAMEWORKS = ("PMBOK", "PMI ", "Scrum", "DSDM", "Dropbox", "O*NET")
AUTHORS = "Authors' judgement"


def honest_source(source: str) -> bool:
    """A source names a guide section, or a framework it marks as not in the guide, or says it is
    the authors' judgement; a framework is never passed off as the guide."""
    if any(name in source for name in FRAMEWORKS) and "(not in the guide)" not in source:
        return False
    return source.startswith(("Guide:", AUTHORS)) or source.endswith("(not in the guide)")


def test_every_criterion_and_next_step_names_an_honest_source(tpm):
    for c in (*tpm.fit_criteria, *tpm.not_fit_criteria):
        assert honest_source(c.source), c.id
    for dim in tpm.dimensions:
        for step in dim.next_steps:
            assert step.source, f"a next step of {dim.id} names no source: {step.text[:40]}"
            assert honest_source(step.source), step.source


def test_every_related_role_has_an_o_net_occupation_and_says_where_its_profile_comes_from(tpm):
    for role in tpm.related_roles:
        # An O*NET-SOC code: a major group (11 to 55, odd), a detailed occupation and a suffix.
        assert role.onet and re.fullmatch(r"\d{2}-\d{4}\.\d{2}", role.onet), role.id
        assert int(role.onet[:2]) in range(11, 56, 2), role.onet
        assert role.onet_title, role.id
        assert role.onet_url == f"https://www.onetonline.org/link/summary/{role.onet}"
        # The profile is the authors' judgement (no O*NET ratings were read), and says which
        # occupation it was checked against.
        assert role.profile_source and role.profile_source.startswith(AUTHORS), role.id
        assert "not measured data" in role.profile_source, role.id
        assert role.onet in role.profile_source, role.id


def test_fit_and_not_fit_criteria_exclude_each_other_by_construction(tpm):
    fit = {c.id: c for c in tpm.fit_criteria}
    assert {c.opposes for c in tpm.not_fit_criteria} == set(fit)
    for c in tpm.not_fit_criteria:
        assert sorted(c.evidence) == sorted(fit[c.opposes].evidence)
        assert c.at_most < fit[c.opposes].at_least


def test_an_ideal_tpm_gets_the_strongest_band(tpm):
    answers = keyed_answers(tpm, dict.fromkeys((d.id for d in tpm.dimensions), 100))
    answers |= {s.id: best_option(s).id for s in tpm.scenarios}
    result = score(tpm, answers)
    # Architecture: statements 100, scenarios (3 + 4) of 8 points = 87.5;
    # 0.75 x 100 + 0.25 x 87.5 = 96.875.
    assert result.dimension("architecture").score == 96.875
    assert result.band == "strong" and not result.capped and not result.unclear
    assert set(result.fit) == {c.id for c in tpm.fit_criteria}
    assert result.not_fit == () and result.gaps == ()
    # Roles by shape: an almost flat top profile fits few roles' shapes (here two), never more
    # than top_roles
    assert len(result.grow) == 2 and 1 <= len(result.roles) <= 3


def test_someone_matching_every_not_fit_criterion_gets_the_weakest_band(tpm):
    answers = keyed_answers(tpm, dict.fromkeys((d.id for d in tpm.dimensions), 0))
    answers |= {s.id: worst_option(s).id for s in tpm.scenarios}
    result = score(tpm, answers)
    assert result.band == "not-obvious" and not result.unclear
    assert set(result.not_fit) == {c.id for c in tpm.not_fit_criteria}
    assert result.fit == ()
    assert result.grow == result.gaps and len(result.gaps) == tpm.scoring.max_gaps


def test_a_non_technical_project_manager_is_capped_below_strong_fit(tpm):
    levels = dict.fromkeys((d.id for d in tpm.dimensions), 100) | {"architecture": 25}
    answers = keyed_answers(tpm, levels) | {s.id: best_option(s).id for s in tpm.scenarios}
    result = score(tpm, answers)
    # Architecture: 0.75 x 25 + 0.25 x 87.5 = 40.625, below the floor of 50.
    assert result.dimension("architecture").score == 40.625
    assert result.overall >= 70  # the overall score alone would say Strong fit ...
    assert result.band == "possible" and result.capped  # ... the technical core caps it
    assert "architecture" in result.gaps


@pytest.mark.parametrize("value", [5, 1])
def test_agreeing_or_disagreeing_with_everything_scores_the_middle_and_gets_no_band(tpm, value):
    answers = {i.id: value for i in tpm.items} | {c.id: value for c in tpm.checks}
    answers |= {s.id: best_option(s).id for s in tpm.scenarios}
    result = score(tpm, answers)
    # Three plus (100 or 0) and three minus (0 or 100) statements per dimension: exactly 50.
    assert all(d.likert == 50 for d in result.dimensions)
    assert result.band is None and result.overall is None
    # One answer to all 42 statements: no verdict, for that reason. (With the person's lean taken
    # out, agreeing with everything is answering "Neither" throughout: no pair is contradictory.)
    assert result.notes == ("same-answer",) or result.notes == ("same-answer", "attention")


def test_neither_throughout_gets_no_band(tpm):
    """The review's case: "Neither" to every statement, the checks answered, good scenarios."""
    answers = {i.id: 3 for i in tpm.items} | {c.id: c.accept[0] for c in tpm.checks}
    answers |= {s.id: best_option(s).id for s in tpm.scenarios}
    result = score(tpm, answers)
    assert result.band is None and result.notes == ("same-answer",)


def test_consistent_answers_at_the_extremes_are_never_flagged(tpm):
    for level in (0, 100):
        answers = keyed_answers(tpm, dict.fromkeys((d.id for d in tpm.dimensions), level))
        answers |= {s.id: s.options[0].id for s in tpm.scenarios}
        quality = score(tpm, answers).quality
        assert quality.inconsistency == 0 and quality.both_sides == 0
        assert not quality.unclear


def test_a_mid_range_profile_gets_next_steps(tpm):
    # Per dimension: Agree, Agree, Neither to the plus statements and Disagree, Neither, Neither
    # to the minus ones: keyed 75, 75, 50, 75, 50, 50, a statement part of 62.5.
    answers = attentive(tpm)
    for dim in tpm.dimensions:
        plus = [i for i in dim.items if i.keyed == "plus"]
        minus = [i for i in dim.items if i.keyed == "minus"]
        answers |= {i.id: v for i, v in zip(plus, (4, 4, 3), strict=True)}
        answers |= {i.id: v for i, v in zip(minus, (2, 3, 3), strict=True)}
    # Scenario options a, a, a, a, a, a, d: for architecture 3 + 2 of 8 points (62.5%), so
    # 0.75 x 62.5 + 0.25 x 62.5 = 62.5; every area lands between 56 and 64.
    answers |= {s.id: o for s, o in zip(tpm.scenarios, "aaaaaad", strict=True)}
    result = score(tpm, answers)
    assert result.dimension("architecture").score == 62.5
    assert all(56 <= d.score <= 64 for d in result.dimensions), result.dimensions
    assert result.band == "possible" and result.gaps == () and result.strengths == ()
    lowest = sorted(result.dimensions, key=lambda d: d.score)[:2]
    assert result.grow == tuple(d.id for d in lowest)  # "to grow next": the two lowest


def test_the_old_version_is_archived_unchanged_and_still_loads(tpm):
    old = load_file(REAL_RUBRICS / "archive" / "technical-project-manager-1.0.0.yaml")
    assert old.version == "1.0.0" and old.id == tpm.id
    assert len(old.items) == 28 and len(old.scenarios) == 5
