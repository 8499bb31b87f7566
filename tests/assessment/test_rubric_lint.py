"""Lint rules on made-up rubrics: the scenario cues (longest option, most clauses) and the
sources every statement and scenario key needs once a rubric's statements cite theirs."""

import copy

import pytest
import yaml

from quizapp.assessment.lint import clauses, cue_hits, lint, words
from quizapp.assessment.rubric import load_file, parse
from tests.conftest import MINI_RUBRICS, REAL_RUBRICS

MINI = yaml.safe_load((MINI_RUBRICS / "mini.yaml").read_text())


def made_up(options_per_scenario, change=None):
    """The mini rubric with one scenario per list of (text, alpha points) options."""
    data = copy.deepcopy(MINI)
    data["scenarios"] = [
        {
            "id": f"s{n}",
            "source": "Test",
            "prompt": "What would you most likely do?",
            "options": [
                {"id": "abcd"[i], "text": text, "points": {"alpha": points}}
                for i, (text, points) in enumerate(options)
            ],
        }
        for n, options in enumerate(options_per_scenario, start=1)
    ]
    if change:
        change(data)
    return parse(data, "made-up.yaml")


def rule(rubric, name):
    return [w for w in lint(rubric) if w.rule == name]


def statement_sources(rubric):
    """The ``sources`` warnings about statements and scenario keys (the mini rubric's criteria
    and role cite "Test", which the same rule warns about)."""
    places = (".items[", ".key_source")
    return [w for w in rule(rubric, "sources") if any(p in w.location for p in places)]


# Four scenarios whose best option (4 points) is the longest and the most careful-sounding, as in
# the reviewed 1.0.0: a test-wise person who picks the longest answer scores full marks.
LONGEST_IS_BEST = [
    [
        ("Ask the team, then plan the steps, and check them with the sponsor.", 4),
        ("Ask the team what they think of it.", 1),
        ("Wait for the next meeting.", 0),
        ("Do it yourself this week.", 2),
    ],
    [
        ("Hold the date.", 1),
        ("Meet both groups, agree the scope, then write it up for everyone.", 4),
        ("Say yes to all of it.", 0),
        ("Ask your manager what to do.", 2),
    ],
    [
        ("Trust the other team.", 0),
        ("Build a workaround now.", 2),
        ("Move the date.", 1),
        ("Set check-ins with them, plan a fallback, and tell the sponsor early.", 4),
    ],
    [
        ("Tell people once it is fixed.", 1),
        ("Say nothing for now.", 0),
        ("Tell each team today, say what it means, and when the next update comes.", 4),
        ("Ask the engineers first.", 2),
    ],
]


def test_words_and_clauses_are_counted_as_documented():
    assert words("Set check-in dates with the other team.") == 8  # "check-in" is two words
    assert words("I'd rather not.") == 3
    # Commas, plus each "and" and "then" as a word (not inside "understand" or "thence").
    assert clauses("Ask the team, then plan, and write it up.") == 4
    assert clauses("Understand them and thence go.") == 1
    assert clauses("Hold the date.") == 0


def test_a_rubric_whose_best_option_is_always_the_longest_is_warned():
    rubric = made_up(LONGEST_IS_BEST)
    assert cue_hits(rubric, words) == 4 and cue_hits(rubric, clauses) == 4
    messages = [str(w) for w in rule(rubric, "option-cues")]
    assert messages == [
        "scenarios: picking the option with the most words finds the best-scoring one in 4 of 4 "
        "scenarios (ties shared), more than a quarter; vary which option is longest and most "
        "elaborate [option-cues]",
        "scenarios: picking the option with the most clauses finds the best-scoring one in 4 of 4 "
        "scenarios (ties shared), more than a quarter; vary which option is longest and most "
        "elaborate [option-cues]",
    ]


def test_most_clauses_is_a_cue_of_its_own():
    # The best option is never the longest, but always the one that strings most parts together.
    scenarios = [
        [
            ("Plan it, check it, then ship it.", 4),
            ("Ship it when the whole team feels it is ready.", 1),
            ("Ask the sponsor what matters most to them.", 2),
        ]
    ] * 4
    rubric = made_up(scenarios)
    assert cue_hits(rubric, words) == 0 and cue_hits(rubric, clauses) == 4
    assert [w.message.split(" finds")[0] for w in rule(rubric, "option-cues")] == [
        "picking the option with the most clauses"
    ]


def test_a_tie_counts_as_the_chance_of_picking_the_best_from_it():
    # Options alike in length and structure carry no cue: a four-way tie is a blind guess.
    alike = [
        ("Ask the team first.", 4),
        ("Tell the boss first.", 0),
        ("Check the plan first.", 1),
        ("Wait a week first.", 2),
    ]
    rubric = made_up([alike] * 4)
    assert cue_hits(rubric, words) == 1 and cue_hits(rubric, clauses) == 1  # 4 x 1/4
    assert rule(rubric, "option-cues") == []
    # One scenario more where the best is the longest, alone: 1 + 1/4 x 4 = 2 of 5, above 1.25.
    rubric = made_up([alike] * 4 + [LONGEST_IS_BEST[0]])
    assert cue_hits(rubric, words) == 2
    assert [w.message.split(" finds")[0] for w in rule(rubric, "option-cues")] == [
        "picking the option with the most words",
        "picking the option with the most clauses",
    ]


def test_the_shipped_rubric_gives_no_cue_warning():
    tpm = load_file(REAL_RUBRICS / "technical-project-manager.yaml")
    assert rule(tpm, "option-cues") == []
    assert cue_hits(tpm, words) <= len(tpm.scenarios) / 4
    assert cue_hits(tpm, clauses) <= len(tpm.scenarios) / 4


def test_the_archived_versions_are_warned_about_their_cues():
    old = load_file(REAL_RUBRICS / "archive" / "technical-project-manager-2.1.0.yaml")
    assert cue_hits(old, clauses) > len(old.scenarios) / 2  # what the review found
    assert len(rule(old, "option-cues")) == 2


def with_item_sources(data, sources):
    for dim in data["dimensions"]:
        for item in dim["items"]:
            if item["id"] in sources:
                item["source"] = sources[item["id"]]


def test_a_rubric_without_statement_sources_is_not_asked_for_them():
    # Rubrics before 2.2.0 name no statement's source: nothing to warn about.
    rubric = made_up([LONGEST_IS_BEST[0]])
    assert statement_sources(rubric) == []
    old = load_file(REAL_RUBRICS / "archive" / "technical-project-manager-2.1.0.yaml")
    assert rule(old, "sources") == []


def test_once_one_statement_names_a_source_every_statement_and_key_must():
    rubric = made_up(
        [LONGEST_IS_BEST[0]],
        lambda d: with_item_sources(d, {"a1": "Guide: Core Skills Required (Alpha)"}),
    )
    found = [str(w) for w in statement_sources(rubric)]
    missing = ["a2", "a3", "a4", "b1", "b2", "b3", "b4"]
    assert len(found) == len(missing) + 1
    assert found[0] == (
        "dimensions[0].items[1].source: 'a2' names no source, while other statements do [sources]"
    )
    assert [f.split("'")[1] for f in found[:-1]] == missing
    assert found[-1] == (
        "scenarios[0].key_source: 's1' does not say why its best option is best, while the "
        "statements name their sources [sources]"
    )


@pytest.mark.parametrize(
    ("source", "honest"),
    [
        ("Guide: Core Skills Required (Alpha)", True),
        ("PMBOK Guide 7th ed.: Uncertainty performance domain (not in the guide)", True),
        ("Authors' judgement", True),
        ("PMBOK Guide 7th ed.: Uncertainty performance domain", False),
        ("Common sense", False),
    ],
)
def test_a_statement_source_names_the_guide_a_framework_not_in_it_or_the_authors(source, honest):
    def cite_everything(data):
        with_item_sources(
            data, {i["id"]: source for dim in data["dimensions"] for i in dim["items"]}
        )
        data["scenarios"][0]["key_source"] = f"a is best: it is. {source}"

    rubric = made_up([LONGEST_IS_BEST[0]], cite_everything)
    found = statement_sources(rubric)
    if honest:
        assert found == []
    else:
        assert len(found) == 8 + 1  # every statement and the scenario's key
        assert found[0].message == (
            "names no guide section, does not say 'not in the guide' and is not the authors' "
            "judgement"
        )
