"""Response quality: whether a sitting's answers are consistent enough to support a band. Pure.

Three signals, each with a documented threshold in the rubric's ``scoring.quality``:

- **Inconsistency** (0-100): every plus-keyed statement is paired with every reverse-keyed
  statement of the same dimension; for each pair answered, the gap between their keyed scores
  (0-100). Someone answering with care gives opposite statements opposite answers, so the keyed
  scores agree and the mean gap is small; random answers give a mean gap near 40, and agreeing
  with everything gives 100.
- **Both sides**: the share of twin pairs (a reverse-keyed statement and the plus statement it
  mirrors) answered on the same side of the scale: agreeing with both, or disagreeing with both.
- **Attention checks**: statements that ask for a particular answer, or that almost nobody
  agrees with; an answer outside the accepted ones is a failed check.

With ``lean_corrected`` (rubric 2.2.0 on) the first two are judged after taking the person's own
lean out of every answer: their mean answer over all statements, less the middle of the scale.
When an area's statements point both ways in equal numbers that mean says nothing about the
person's standing, only about a habit of agreeing (or disagreeing), which is a style, not
carelessness: people who agree a little more with everything are no longer flagged for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .rubric import LIKERT_MAX, LIKERT_MIN, Rubric

AGREE, DISAGREE = 4, 2

REASONS = {
    "inconsistent": (
        "You often gave the same kind of answer to statements that point in opposite "
        "directions, more often than people who answer with care usually do."
    ),
    "both-sides": (
        "You agreed with both sides (or disagreed with both sides) of most pairs of opposite "
        "statements, which suggests a habit of answering rather than a view."
    ),
    "same-answer": (
        "You gave the same answer to nearly every statement, so your answers do not show which "
        "parts of the work suit you more than others."
    ),
    "attention": (
        "You missed the statements that asked for a particular answer, so some answers may "
        "have been given in a hurry."
    ),
}


@dataclass(frozen=True)
class ResponseQuality:
    """The consistency signals of one sitting and the reasons, if any, it gives no clear picture."""

    inconsistency: float | None
    pairs: int
    both_sides: float | None
    failed_checks: int
    reasons: tuple[str, ...]

    @property
    def unclear(self) -> bool:
        return bool(self.reasons)


MIDDLE = (LIKERT_MIN + LIKERT_MAX) / 2


def lean(rubric: Rubric, answers: Mapping[str, object]) -> float:
    """The person's lean towards agreeing: their mean answer over every statement they answered,
    less the middle of the scale (0 with none)."""
    given = [answers[i.id] for i in rubric.items if isinstance(answers.get(i.id), int)]
    return sum(given) / len(given) - MIDDLE if given else 0.0


def lean_corrected(rubric: Rubric, answers: Mapping[str, object], shift: float) -> dict:
    """Every statement's answer with ``shift`` taken out (not rounded), kept inside the scale."""
    return {
        i.id: min(LIKERT_MAX, max(LIKERT_MIN, answers[i.id] - shift))
        for i in rubric.items
        if isinstance(answers.get(i.id), int)
    }


def _keyed(rubric: Rubric, values: Mapping[str, float]) -> dict[str, float]:
    """The keyed 0-100 score of each (possibly fractional) answer, as the item keys a whole one."""
    return {i.id: i.keyed_score(v) for i in rubric.items if (v := values.get(i.id)) is not None}


def corrected_keyed_scores(rubric: Rubric, answers: Mapping[str, object]) -> dict[str, float]:
    """The keyed 0-100 score of every answered statement with the person's lean taken out."""
    return _keyed(rubric, lean_corrected(rubric, answers, lean(rubric, answers)))


def _side(value: float | None) -> int | None:
    """Disagree (-1), neither (0) or agree (1), for an answer that may be fractional."""
    if value is None:
        return None
    return (value >= AGREE - 0.5) - (value <= DISAGREE + 0.5)


def inconsistency(
    rubric: Rubric, answers: Mapping[str, object], keyed: Mapping[str, float] | None = None
) -> tuple[float | None, int]:
    """Mean keyed-score gap over every answered opposite pair within a dimension, and the count.

    ``keyed`` is ``rubric.keyed_scores(answers)`` when the caller has it already."""
    if keyed is None:
        keyed = rubric.keyed_scores(answers)
    total, pairs = 0.0, 0
    for dim in rubric.dimensions:
        plus_ids, minus_ids = dim.sides
        plus = [keyed[i] for i in plus_ids if i in keyed]
        minus = [keyed[i] for i in minus_ids if i in keyed]
        for p in plus:
            for m in minus:
                total += abs(p - m)
        pairs += len(plus) * len(minus)
    return (total / pairs if pairs else None), pairs


def both_sides(rubric: Rubric, answers: Mapping[str, object]) -> float | None:
    """Share of answered twin pairs given the same side: both agreed or both disagreed.
    ``answers`` may hold fractional (lean-corrected) values for the statements."""
    same = total = 0
    for item_id, twin_id in rubric.twins:
        mine, theirs = answers.get(item_id), answers.get(twin_id)
        mine = _side(mine) if isinstance(mine, int | float) else None
        theirs = _side(theirs) if isinstance(theirs, int | float) else None
        if mine is None or theirs is None:
            continue  # one of them unanswered or "Not sure"
        total += 1
        if mine == theirs != 0:  # both agree, or both disagree
            same += 1
    return same / total if total else None


def same_answer(rubric: Rubric, answers: Mapping[str, object]) -> float:
    """The share of the statements that got the answer given most often ("Not sure" counts as
    an answer of its own; unanswered statements count against the share)."""
    given = [answers.get(i.id, "missing") for i in rubric.items]
    given = [a for a in given if a != "missing"]
    if not given:
        return 0.0
    most = max(given.count(a) for a in set(given))
    return most / len(rubric.items)


def failed_checks(rubric: Rubric, answers: Mapping[str, object]) -> int:
    """How many attention checks were answered outside their accepted values (or skipped)."""
    return sum(1 for c in rubric.checks if answers.get(c.id) not in c.accept)


def response_quality(
    rubric: Rubric, answers: Mapping[str, object], keyed: Mapping[str, float] | None = None
) -> ResponseQuality:
    """Measure a sitting's consistency and say why, if at all, it supports no band (``keyed``
    as for ``inconsistency``)."""
    rules = rubric.scoring.quality
    if rules is None:
        raise ValueError(f"rubric {rubric.id!r} has no scoring.quality rules")
    sides = answers
    if rules.lean_corrected:
        sides = lean_corrected(rubric, answers, lean(rubric, answers))
        keyed = _keyed(rubric, sides)
    gap, pairs = inconsistency(rubric, answers, keyed)
    same = both_sides(rubric, sides)
    failed = failed_checks(rubric, answers)
    reasons = []
    if gap is not None and pairs >= rules.min_pairs:
        limit = rules.max_inconsistency_with_failed_check if failed else rules.max_inconsistency
        if gap > limit:
            reasons.append("inconsistent")
    if same is not None and same >= rules.max_both_sides:
        reasons.append("both-sides")
    if rules.max_same_answer is not None and same_answer(rubric, answers) >= rules.max_same_answer:
        reasons.append("same-answer")
    if failed > rules.max_failed_checks:
        reasons.append("attention")
    return ResponseQuality(gap, pairs, same, failed, tuple(reasons))
