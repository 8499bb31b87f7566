"""Lint rules for a valid rubric: what makes a measurement weaker without making the file unusable.

Each rule gives warnings with the place they are found, like the loader's errors. The rules:

- ``keying``: a dimension should have as many plus-keyed as reverse-keyed statements, so that a
  habit of agreeing with everything cancels out.
- ``option-length``: a scenario's longest option should be at most 25% longer than its shortest,
  and the best option should not be the longest in most scenarios (test-wise people pick the
  longest, most careful-sounding answer).
- ``option-cues``: picking the option with the most words, or the one with the most clauses
  (commas plus the words "and" and "then"), should find the best option in at most a quarter of
  the scenarios: no better than a blind guess among four.
- ``reading-grade``: statements at a Flesch-Kincaid grade of 8 or below.
- ``exclusive``: every not-fit criterion should oppose a fit criterion (``opposes``), so that a
  person can never match both a sign of fit and its opposite.
- ``sources``: a criterion or role that names no guide section should say "not in the guide".
  Once any statement names its source (2.2.0 on), every statement should, and every scenario
  should say why its best option is best (``key_source``); each of these names a guide section,
  says "not in the guide" or is the authors' judgement.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .rubric import Option, Rubric, Scenario

MAX_OPTION_RATIO = 1.25
MAX_CUE_SHARE = 0.25  # a cue may find the best option in at most this share of the scenarios
MAX_GRADE = 8.0
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_CLAUSE_WORDS = frozenset({"and", "then"})
_VOWELS = re.compile(r"[aeiouy]+")


@dataclass(frozen=True)
class Warning_:
    rule: str
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message} [{self.rule}]"


def syllables(word: str) -> int:
    """Estimate a word's syllables from its vowel groups (silent final e, -le and -ed handled)."""
    word = word.lower().split("'")[0]
    count = len(_VOWELS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    if word.endswith("ed") and not word.endswith(("ted", "ded")) and count > 1:
        count -= 1
    return max(1, count)


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade level: 0.39 x words per sentence + 11.8 x syllables per word - 15.59."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    sentences = max(1, len(re.findall(r"[.!?]+(?:\s|$)", text.strip())))
    total = sum(syllables(w) for w in words)
    return 0.39 * len(words) / sentences + 11.8 * total / len(words) - 15.59


def words(text: str) -> int:
    """The number of words, as the reading grade counts them ("check-in" is two)."""
    return len(_WORD.findall(text))


def clauses(text: str) -> int:
    """A rough count of the parts a sentence is joined from: its commas plus its "and"s and
    "then"s. Careful-sounding options tend to string more of them together."""
    joins = sum(1 for w in _WORD.findall(text) if w.lower() in _CLAUSE_WORDS)
    return text.count(",") + joins


def best_option(scenario: Scenario) -> Option:
    """The best-keyed option: the most points in total (the first, if several tie)."""
    return max(scenario.options, key=lambda o: sum(o.points.values()))


def cue_hits(rubric: Rubric, measure: Callable[[str], int]) -> float:
    """In how many scenarios picking the option that measures most finds the best one. A tie
    for the most counts as the chance of picking the best from the tie (a two-way tie, one
    half): what a test-taker who goes by that cue scores, on average."""
    hits = 0.0
    for scenario in rubric.scenarios:
        values = [measure(o.text) for o in scenario.options]
        top = max(values)
        if measure(best_option(scenario).text) == top:
            hits += 1 / values.count(top)
    return hits


def _names_its_source(source: str) -> bool:
    return (
        "Guide:" in source or "not in the guide" in source or "authors' judgement" in source.lower()
    )


def lint(rubric: Rubric) -> list[Warning_]:
    """Every lint warning for a rubric that already passed validation."""
    out: list[Warning_] = []
    for d_index, dim in enumerate(rubric.dimensions):
        plus = sum(1 for i in dim.items if i.keyed == "plus")
        minus = len(dim.items) - plus
        if plus != minus:
            out.append(
                Warning_(
                    "keying",
                    f"dimensions[{d_index}].items",
                    f"{plus} plus-keyed and {minus} reverse-keyed statements; balance them so "
                    "agreeing with everything scores the middle",
                )
            )
        for i_index, item in enumerate(dim.items):
            grade = reading_grade(item.text)
            if grade > MAX_GRADE:
                out.append(
                    Warning_(
                        "reading-grade",
                        f"dimensions[{d_index}].items[{i_index}].text",
                        f"reads at grade {grade:.1f}, above {MAX_GRADE:g}: use shorter words "
                        "or a shorter sentence",
                    )
                )
    out.extend(_option_warnings(rubric))
    out.extend(_cue_warnings(rubric))
    for c_index, crit in enumerate(rubric.not_fit_criteria):
        if crit.opposes is None:
            out.append(
                Warning_(
                    "exclusive",
                    f"not_fit_criteria[{c_index}]",
                    "names no fit criterion it opposes, so nothing proves a person cannot match "
                    "both",
                )
            )
    for where, parts in (
        ("fit_criteria", rubric.fit_criteria),
        ("not_fit_criteria", rubric.not_fit_criteria),
        ("related_roles", rubric.related_roles),
    ):
        for index, part in enumerate(parts):
            source = part.source
            if not source.startswith("Guide:") and "not in the guide" not in source:
                out.append(
                    Warning_(
                        "sources",
                        f"{where}[{index}].source",
                        "names no guide section and does not say 'not in the guide'",
                    )
                )
    out.extend(_statement_source_warnings(rubric))
    return out


def _cue_warnings(rubric: Rubric) -> list[Warning_]:
    out = []
    count = len(rubric.scenarios)
    for cue, measure in (("the most words", words), ("the most clauses", clauses)):
        hits = cue_hits(rubric, measure)
        if count and hits > MAX_CUE_SHARE * count:
            out.append(
                Warning_(
                    "option-cues",
                    "scenarios",
                    f"picking the option with {cue} finds the best-scoring one in {hits:.3g} of "
                    f"{count} scenarios (ties shared), more than a quarter; vary which option is "
                    "longest and most elaborate",
                )
            )
    return out


def _source_warning(where: str, source: str | None, missing: str) -> Warning_ | None:
    """A warning when a source is missing (``missing`` says what), or names nothing we accept."""
    if source is None:
        return Warning_("sources", where, missing)
    if not _names_its_source(source):
        return Warning_(
            "sources",
            where,
            "names no guide section, does not say 'not in the guide' and is not the "
            "authors' judgement",
        )
    return None


def _statement_source_warnings(rubric: Rubric) -> list[Warning_]:
    """Once one statement names its source, every statement and every scenario's key should."""
    if not any(item.source for item in rubric.items):
        return []
    found = [
        _source_warning(
            f"dimensions[{d_index}].items[{i_index}].source",
            item.source,
            f"'{item.id}' names no source, while other statements do",
        )
        for d_index, dim in enumerate(rubric.dimensions)
        for i_index, item in enumerate(dim.items)
    ]
    found += [
        _source_warning(
            f"scenarios[{s_index}].key_source",
            scenario.key_source,
            f"'{scenario.id}' does not say why its best option is best, while the "
            "statements name their sources",
        )
        for s_index, scenario in enumerate(rubric.scenarios)
    ]
    return [w for w in found if w is not None]


def _option_warnings(rubric: Rubric) -> list[Warning_]:
    out = []
    best_longest = 0
    for s_index, scenario in enumerate(rubric.scenarios):
        lengths = [len(o.text) for o in scenario.options]
        ratio = max(lengths) / min(lengths)
        if ratio > MAX_OPTION_RATIO:
            out.append(
                Warning_(
                    "option-length",
                    f"scenarios[{s_index}].options",
                    f"the longest option is {ratio:.2f} times the shortest (at most "
                    f"{MAX_OPTION_RATIO:g}); people pick the longest, most careful-sounding one",
                )
            )
        if len(best_option(scenario).text) == max(lengths):
            best_longest += 1
    if rubric.scenarios and best_longest * 2 > len(rubric.scenarios):
        out.append(
            Warning_(
                "option-length",
                "scenarios",
                f"the best-scoring option is also the longest in {best_longest} of "
                f"{len(rubric.scenarios)} scenarios",
            )
        )
    return out
