"""Scoring: ``score(rubric, answers)`` turns validated answers into a ScoredResult. Pure."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from .quality import ResponseQuality, response_quality
from .roles import rank_roles
from .rubric import Rubric

# A Likert answer is 1..5 or None ("Not sure"); a scenario answer is an option id.
Answer = int | str | None

STRAIGHT_LINING_MIN_ITEMS = 10
STRAIGHT_LINING_SHARE = 0.9
AGREE = 4  # "Agree" or "Strongly agree"

NOTES = {
    "straight-lining": (
        "You gave the same answer to almost every statement. That can happen when a questionnaire "
        "feels long; if you went quickly, the profile below may say less about you than it could."
    ),
    "contradictions": (
        "You agreed with some pairs of statements that point in opposite directions. That is "
        "normal when a statement depends on the situation, but read the dimensions concerned "
        "with that in mind."
    ),
}


@dataclass(frozen=True)
class DimensionScore:
    """One dimension of a result. ``score`` is None when too few of its items were answered."""

    id: str
    score: float | None
    likert: float | None
    scenario: float | None
    answered: int
    total: int
    unsure: int = 0  # "Not sure" answers counted under the rubric's not_sure rule

    @property
    def enough(self) -> bool:
        return self.score is not None


@dataclass(frozen=True)
class ScoredResult:
    """Everything a result says, as plain data: no Flask, no database."""

    rubric_id: str
    rubric_version: str
    dimensions: tuple[DimensionScore, ...]
    overall: float | None
    band: str | None
    fit: tuple[str, ...]
    not_fit: tuple[str, ...]
    strengths: tuple[str, ...]
    gaps: tuple[str, ...]
    answered: int
    total: int
    notes: tuple[str, ...]
    grow: tuple[str, ...] = ()  # gaps, or else the lowest dimensions: where to grow next
    roles: tuple[str, ...] = ()  # related roles, closest profile first
    near: tuple[str, str] | None = None  # the two bands whose boundary is within one SEM
    capped: bool = False  # the band was capped by the rubric's core rule
    quality: ResponseQuality | None = None
    around: tuple[str, ...] = ()  # areas too near a line to be named a strength or a gap
    no_role_fits: bool = False  # ranked by shape, and no related role's shape is close enough
    # With the rubric's backing rule: the statements' and the everyday situations' scores, all
    # areas together, and whether the band was capped because the second did not back the first.
    said: float | None = None
    done: float | None = None
    unbacked: bool = False

    @property
    def unclear(self) -> bool:
        """The answers are too inconsistent to support a band."""
        return self.quality is not None and self.quality.unclear

    def dimension(self, dimension_id: str) -> DimensionScore:
        return next(d for d in self.dimensions if d.id == dimension_id)


def round_half_up(value: float, digits: int = 0) -> float:
    """Round the way people expect (2.5 -> 3), unlike Python's round-half-even."""
    factor = 10**digits
    return math.floor(value * factor + 0.5) / factor


def _scenario_points(rubric: Rubric, answers: Mapping[str, Answer]) -> dict[str, list[int]]:
    """Scenario points earned and available, by dimension: every scenario answered counts the
    most points any of its options gives the dimension as available."""
    points: dict[str, list[int]] = {}
    for scenario in rubric.scenarios:
        chosen = scenario.points_of.get(answers.get(scenario.id))
        if chosen is None:
            continue
        for dimension_id, most in scenario.most_points.items():
            if most:
                tally = points.setdefault(dimension_id, [0, 0])
                tally[0] += chosen.get(dimension_id, 0)
                tally[1] += most
    return points


def _dimension_scores(rubric, answers, item_scores) -> tuple[DimensionScore, ...]:
    rules = rubric.scoring
    scenario_points = _scenario_points(rubric, answers)
    unsure_rule = rules.not_sure
    out = []
    for dim in rubric.dimensions:
        answered = [item_scores[i] for i in dim.item_ids if i in item_scores]
        unsure = 0
        if unsure_rule is not None:
            unsure = sum(1 for i in dim.item_ids if i in answers and answers[i] is None)
            answered += [unsure_rule.counts_as] * unsure
        too_unsure = unsure_rule is not None and (
            unsure_rule.most_per_area is not None and unsure > unsure_rule.most_per_area
        )
        total = len(dim.items)
        likert = sum(answered) / len(answered) if answered else None
        earned, available = scenario_points.get(dim.id, (0, 0))
        scenario = 100.0 * earned / available if available else None
        score = None
        enough = likert is not None and len(answered) / total >= rules.min_answered_ratio
        if enough and not too_unsure:
            score = likert
            if scenario is not None:
                score = (1 - rules.scenario_weight) * likert + rules.scenario_weight * scenario
        out.append(DimensionScore(dim.id, score, likert, scenario, len(answered), total, unsure))
    return tuple(out)


def _overall(rubric: Rubric, dims: tuple[DimensionScore, ...]) -> float | None:
    """Weighted mean of the scored dimensions; None unless at least half of them are scored."""
    weights = rubric.weights
    scored = [(weights[d.id], d.score) for d in dims if d.enough]
    if len(scored) * 2 < len(dims):
        return None
    return sum(w * s for w, s in scored) / sum(w for w, _ in scored)


def _evidence(ids, by_dim, item_scores) -> float | None:
    values = [by_dim[e] if e in by_dim else item_scores.get(e) for e in ids]
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def _quality_notes(rubric: Rubric, answers: Mapping[str, Answer]) -> tuple[str, ...]:
    notes = []
    given = [answers[i.id] for i in rubric.items if isinstance(answers.get(i.id), int)]
    if len(given) >= STRAIGHT_LINING_MIN_ITEMS:
        most_common = Counter(given).most_common(1)[0][1]
        if most_common >= STRAIGHT_LINING_SHARE * len(given):
            notes.append("straight-lining")
    for item_id, twin_id in rubric.twins:
        mine, theirs = answers.get(item_id), answers.get(twin_id)
        if isinstance(mine, int) and isinstance(theirs, int) and min(mine, theirs) >= AGREE:
            notes.append("contradictions")
            break
    return tuple(notes)


def _band(rubric: Rubric, overall: float, dims) -> tuple[str, bool]:
    """The band for an overall score, capped when the role's core dimension is below its floor."""
    band = rubric.band_for(round_half_up(overall))
    core = rubric.scoring.core
    if core is None:
        return band.id, False
    cap = next(b for b in rubric.bands if b.id == core.capped_to)
    core_dim = next(d for d in dims if d.id == core.dimension)
    below = core_dim.score is None or core_dim.score < core.floor
    if core.evidence is not None:  # the statements themselves must show it, not only scenarios
        below = below or core_dim.likert is None or core_dim.likert < core.evidence
    if band.min > cap.min and below:
        return cap.id, True
    return band.id, False


def _said_and_done(rubric: Rubric, dims) -> tuple[float | None, float | None]:
    """The statements' and the scenarios' scores over the areas that have both, weighted as in
    the overall score: what a person says of themselves, and what they would do."""
    both = [(rubric.weights[d.id], d.likert, d.scenario) for d in dims if d.enough]
    both = [(w, s, c) for w, s, c in both if c is not None]
    if not both:
        return None, None
    total = sum(w for w, _, _ in both)
    said = sum(w * s for w, s, _ in both) / total
    done = sum(w * c for w, _, c in both) / total
    return round_half_up(said, 1), round_half_up(done, 1)


def _backed(rubric: Rubric, band_id: str, said, done) -> tuple[str, bool]:
    """The band, capped when the everyday situations do not back the statements (backing rule)."""
    rule = rubric.scoring.backing
    if rule is None:
        return band_id, False
    band = next(b for b in rubric.bands if b.id == band_id)
    cap = next(b for b in rubric.bands if b.id == rule.capped_to)
    backed = done is not None and (
        done >= said + rule.margin or (rule.enough is not None and done >= rule.enough)
    )
    if band.min > cap.min and not backed:
        return cap.id, True
    return band_id, False


def _near_boundary(rubric: Rubric, overall: float) -> tuple[str, str] | None:
    """The two bands either side of a boundary less than ``near_sems`` SEMs from the overall
    score."""
    if rubric.precision is None:
        return None
    sem = rubric.precision.overall.sem * rubric.scoring.near_sems
    ordered = sorted(rubric.bands, key=lambda b: b.min)
    for low, high in itertools.pairwise(ordered):
        if abs(overall - high.min) < sem:
            return low.id, high.id
    return None


def _grow(rubric: Rubric, dims, gaps) -> tuple[str, ...]:
    """Gaps first; without any, the lowest-scoring dimensions, so everyone gets next steps."""
    if gaps:
        return tuple(d.id for d in gaps)
    order = {d.id: n for n, d in enumerate(rubric.dimensions)}
    scored = sorted((d for d in dims if d.enough), key=lambda d: (d.score, order[d.id]))
    return tuple(d.id for d in scored[: rubric.scoring.grow_next])


def score(rubric: Rubric, answers: Mapping[str, Answer]) -> ScoredResult:
    """Score a complete set of validated answers against a rubric."""
    rules = rubric.scoring
    item_scores = rubric.keyed_scores(answers)
    dims = _dimension_scores(rubric, answers, item_scores)
    overall = _overall(rubric, dims)
    quality = None
    if rules.quality is not None:
        quality = response_quality(rubric, answers, item_scores)
    band, capped, near, unbacked = None, False, None, False
    said, done = _said_and_done(rubric, dims) if rules.backing is not None else (None, None)
    if quality is not None and quality.unclear:
        overall = None  # no verdict from answers that give no clear picture
    if overall is not None:
        overall = round_half_up(overall, 1)
        band, capped = _band(rubric, overall, dims)
        if not capped:
            band, unbacked = _backed(rubric, band, said, done)
        near = _near_boundary(rubric, overall)

    by_dim = {d.id: d.score for d in dims}
    fit = tuple(
        c.id
        for c in rubric.fit_criteria
        if (v := _evidence(c.evidence, by_dim, item_scores)) is not None and v >= c.at_least
    )
    not_fit = tuple(
        c.id
        for c in rubric.not_fit_criteria
        if (v := _evidence(c.evidence, by_dim, item_scores)) is not None and v <= c.at_most
    )
    order = {d.id: n for n, d in enumerate(rubric.dimensions)}
    margin = rules.label_margin or 0.0
    strong = [d for d in dims if d.enough and d.score >= rules.strength_threshold + margin]
    weak = [d for d in dims if d.enough and d.score < rules.gap_threshold - margin]
    around = ()
    if rules.label_margin is not None:
        lines = (rules.strength_threshold, rules.gap_threshold)
        around = tuple(
            d.id
            for d in dims
            if d.enough and d not in strong and d not in weak
            and any(line - margin <= d.score < line + margin for line in lines)
        )  # fmt: skip
    strengths = sorted(strong, key=lambda d: (-d.score, order[d.id]))[: rules.max_strengths]
    gaps = sorted(weak, key=lambda d: (d.score, order[d.id]))[: rules.max_gaps]
    if quality is not None and quality.unclear:
        fit = not_fit = ()  # criteria would read meaning into noise
    roles, no_role_fits = (), False
    if rubric.ranks_roles and band is not None:
        profile = {d.id: d.score for d in dims if d.enough}
        roles = tuple(r.id for r, _ in rank_roles(rubric, profile)[: rules.top_roles])
        no_role_fits = not roles and rules.roles.by == "shape"
    return ScoredResult(
        rubric_id=rubric.id,
        rubric_version=rubric.version,
        dimensions=dims,
        overall=overall,
        band=band,
        fit=fit,
        not_fit=not_fit,
        strengths=tuple(d.id for d in strengths),
        gaps=tuple(d.id for d in gaps),
        answered=len(item_scores),
        total=len(rubric.items),
        notes=quality.reasons if quality is not None else _quality_notes(rubric, answers),
        grow=_grow(rubric, dims, gaps),
        roles=roles,
        near=near,
        capped=capped,
        quality=quality,
        around=around,
        no_role_fits=no_role_fits,
        said=said,
        done=done,
        unbacked=unbacked,
    )
