"""Respondents our own simulation never draws: the stress lab of `rubric simulate --stress`. Pure.

The simulation (quizapp/assessment/simulation.py) draws people the way the scoring imagines them.
These models break its assumptions, one at a time, and ``stress_report`` measures the same
figures under each (docs/validity.md):

- **People** (who answers honestly, but not as the base model says): ``uneven``, every
  statement with thresholds of its own, unevenly spaced; ``agreeing``, a stable personal
  tendency to agree with any statement; ``wording``, a personal factor on the reverse-keyed
  statements only (people who read "I'd rather..." differently from "I like...").
- **Sittings** (how a person answers on the day): ``half-careless``, each answer at random with
  probability one half; ``mild-faker``, one step towards the favourable end on every statement;
  ``informed-faker``, that, plus the best-keyed option of every scenario and every check right;
  ``strategic-not-sure``, honest, but "Not sure" on the two lowest statements of each area.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .rubric import LIKERT_MAX, LIKERT_MIN, Rubric
from .scoring import Answer, ScoredResult, score
from .simulation import THRESHOLDS, Model, Simulator, dimension_figures

SITTINGS = ("half-careless", "mild-faker", "informed-faker", "strategic-not-sure", "random")


@dataclass(frozen=True)
class Stress:
    """A model of people beyond the base one; zeros are the base model itself."""

    name: str
    description: str
    threshold_sd: float = 0.0  # each statement's cut points moved by this much (own to it)
    agree_sd: float = 0.0  # a person's stable lean towards agreeing, on the agreement scale
    wording_sd: float = 0.0  # a person's own shift on the reverse-keyed statements


MODELS = (
    Stress("base", "the simulation's own model"),
    Stress("uneven", "each statement's own, uneven thresholds (sd .35)", threshold_sd=0.35),
    Stress("agreeing", "a stable tendency to agree (sd .4)", agree_sd=0.4),
    Stress("wording", "a wording factor on reverse-keyed statements (sd .5)", wording_sd=0.5),
)


@dataclass(frozen=True)
class Person:
    traits: list[float]
    agree: float
    wording: float


class Lab:
    """Simulated people of one stress model, answering the rubric in any of the sitting styles."""

    def __init__(self, rubric: Rubric, stress: Stress, seed: int = 1, loading: float = 0.6):
        self.rubric = rubric
        self.stress = stress
        self.sim = Simulator(rubric, Model(loading=loading), seed)
        self.rng = random.Random(seed + 1)  # noqa: S311 (a reproducible simulation)
        self.cuts = {
            item_id: sorted(t + self.rng.gauss(0, stress.threshold_sd) for t in THRESHOLDS)
            for item_id, *_ in self.sim.items
        }
        self.keyed = {i.id: i for i in rubric.items}
        self.best = {
            s.id: max(s.options, key=lambda o: sum(o.points.values())).id for s in rubric.scenarios
        }

    def person(self, centre: Sequence[float] | None = None) -> Person:
        return Person(
            self.sim.traits(centre),
            self.rng.gauss(0, self.stress.agree_sd) if self.stress.agree_sd else 0.0,
            self.rng.gauss(0, self.stress.wording_sd) if self.stress.wording_sd else 0.0,
        )

    def honest(self, person: Person) -> dict[str, Answer]:
        """One honest sitting under this model: the base model's scenarios and checks, and
        statements answered with the model's own thresholds and personal factors."""
        out = self.sim.answers(person.traits)
        m, rng = self.sim.model, self.sim.rng
        noise_sd = (1 - m.loading**2) ** 0.5
        lean = rng.gauss(0, m.lean_sd) + person.agree
        for item_id, dim, plus, difficulty in self.sim.items:
            if out[item_id] is None:
                continue  # "Not sure", as the base model draws it
            signal = m.loading * person.traits[dim] * (1 if plus else -1)
            agreement = signal + noise_sd * rng.gauss(0, 1) + lean - difficulty
            if not plus:
                agreement += person.wording
            out[item_id] = LIKERT_MIN + sum(1 for cut in self.cuts[item_id] if agreement > cut)
        return out

    def sitting(self, person: Person, style: str) -> dict[str, Answer]:
        """A sitting in one of the styles of SITTINGS (or "honest")."""
        if style == "random":
            return self.sim.answers(person.traits, "random")
        answers = self.honest(person)
        if style == "half-careless":
            return self.careless(answers, self.sim.answers(person.traits, "random"))
        return self.restyle(answers, style)

    def careless(self, answers: dict[str, Answer], random_answers: dict[str, Answer]) -> dict:
        """Each answer replaced by a random one with probability one half."""
        return {q: random_answers[q] if self.rng.random() < 0.5 else a for q, a in answers.items()}

    def restyle(self, answers: dict[str, Answer], style: str) -> dict[str, Answer]:
        """An honest sitting's answers as a faker or a strategic "Not sure" user gives them."""
        out = dict(answers)
        if style == "honest":
            return out
        if style in ("mild-faker", "informed-faker"):
            for item_id, item in self.keyed.items():
                if isinstance(out[item_id], int):
                    step = 1 if item.keyed == "plus" else -1
                    out[item_id] = min(LIKERT_MAX, max(LIKERT_MIN, out[item_id] + step))
            if style == "informed-faker":
                out |= self.best
                out |= {c.id: c.accept[0] for c in self.rubric.checks}
            return out
        if style == "strategic-not-sure":
            for dim in self.rubric.dimensions:
                given = [i for i in dim.items if isinstance(out[i.id], int)]
                for item in sorted(given, key=lambda i: i.keyed_score(out[i.id]))[:2]:
                    out[item.id] = None
            return out
        raise ValueError(f"unknown sitting style {style!r}")


@dataclass(frozen=True)
class StressFigures:
    """The figures of one stress model (shares are 0-1)."""

    model: Stress
    people: int
    alpha_min: float
    same_band: float
    flagged_once: float  # honest sittings judged unclear
    flagged_either: float  # honest people judged unclear in at least one of two sittings
    no_verdict: dict[str, float]  # sitting style -> share given no band
    strong: dict[str, float]  # sitting style -> share given Strong fit
    strong_at_plus_1_5: float  # honest people at +1.5 sd on every area
    not_sure_gain: float  # mean overall points gained by strategic "Not sure"
    label_kept: float  # a strength or gap shown in one sitting shown again in the next
    label_side: float  # ... or its area at least on the same side of that line in the next
    changes_told: float  # of the band changes on retest, the share told "near the line" first
    near_changed: float  # of the people told "near the line", the share whose band changes
    top_role_share: float  # the largest share one role has as first suggestion, in any band


def stress_figures(
    rubric: Rubric, stress: Stress, people: int = 1000, seed: int = 1, loading: float = 0.6
) -> StressFigures:
    """Every figure of the stress table for one model."""
    lab = Lab(rubric, stress, seed, loading)
    persons = [lab.person() for _ in range(people)]
    first = [_sit(lab, p, "honest") for p in persons]
    second = [_sit(lab, p, "honest") for p in persons]
    traits = [p.traits for p in persons]
    alphas = [dimension_figures(rubric, d, traits, first, second).alpha for d in rubric.dimensions]
    bands = [(a[1].band, b[1].band) for a, b in zip(first, second, strict=True)]
    styled = {style: [_sit(lab, p, style)[1] for p in persons] for style in SITTINGS}
    honest = [r for _, r in first]
    centre = [1.5] * len(rubric.dimensions)
    strong_people = [
        _sit(lab, lab.person(centre), "honest")[1] for _ in range(max(100, people // 5))
    ]
    gains = [
        s.overall - h.overall
        for h, s in zip(honest, styled["strategic-not-sure"], strict=True)
        if h.overall is not None and s.overall is not None
    ]
    return StressFigures(
        model=stress,
        people=people,
        alpha_min=min(a for a in alphas if a is not None),
        same_band=sum(a == b for a, b in bands) / people,
        flagged_once=sum(r.unclear for r in honest) / people,
        flagged_either=sum(a[1].unclear or b[1].unclear for a, b in zip(first, second, strict=True))
        / people,
        no_verdict={s: sum(r.band is None for r in rs) / people for s, rs in styled.items()},
        strong={"honest": _share(honest, "strong")}
        | {s: _share(rs, "strong") for s, rs in styled.items()},
        strong_at_plus_1_5=_share(strong_people, "strong"),
        not_sure_gain=sum(gains) / len(gains) if gains else 0.0,
        label_kept=_label_kept([r for _, r in first], [r for _, r in second]),
        label_side=_label_side(rubric, [r for _, r in first], [r for _, r in second]),
        changes_told=_changes_told([r for _, r in first], [r for _, r in second]),
        near_changed=_near_changed([r for _, r in first], [r for _, r in second]),
        top_role_share=_top_role_share(honest),
    )


def _sit(lab: Lab, person: Person, style: str) -> tuple[dict, ScoredResult]:
    answers = lab.sitting(person, style)
    return answers, score(lab.rubric, answers)


def _share(results: Sequence[ScoredResult], band: str) -> float:
    return sum(r.band == band for r in results) / len(results)


def _label_kept(first: Sequence[ScoredResult], second: Sequence[ScoredResult]) -> float:
    shown = kept = 0
    for a, b in zip(first, second, strict=True):
        for area in a.strengths:
            shown += 1
            kept += area in b.strengths
        for area in a.gaps:
            shown += 1
            kept += area in b.gaps
    return kept / shown if shown else 1.0


def _label_side(
    rubric: Rubric, first: Sequence[ScoredResult], second: Sequence[ScoredResult]
) -> float:
    """A strength shown in one sitting whose area is at or above the strength line in the next
    (named again, or "around the line" on its upper side); a gap likewise below the gap line."""
    rules = rubric.scoring
    shown = kept = 0
    for a, b in zip(first, second, strict=True):
        for area in a.strengths:
            shown += 1
            later = b.dimension(area).score
            kept += later is not None and later >= rules.strength_threshold
        for area in a.gaps:
            shown += 1
            later = b.dimension(area).score
            kept += later is not None and later < rules.gap_threshold
    return kept / shown if shown else 1.0


def _changes_told(first: Sequence[ScoredResult], second: Sequence[ScoredResult]) -> float:
    """Of the people whose band differs on a retest (both sittings with a band), the share whose
    first result said it was near the line between those two bands."""
    changed = told = 0
    for a, b in zip(first, second, strict=True):
        if a.band is None or b.band is None or a.band == b.band:
            continue
        changed += 1
        told += a.near is not None and set(a.near) == {a.band, b.band}
    return told / changed if changed else 1.0


def _near_changed(first: Sequence[ScoredResult], second: Sequence[ScoredResult]) -> float:
    """Of the people whose first result said they were near a line (and whose second has a
    band), the share whose band differs on the retest."""
    told = [(a, b) for a, b in zip(first, second, strict=True) if a.near and b.band is not None]
    return sum(a.band != b.band for a, b in told) / len(told) if told else 0.0


def _top_role_share(results: Sequence[ScoredResult]) -> float:
    by_band: dict[str | None, Counter] = {}
    for r in results:
        if r.roles:
            by_band.setdefault(r.band, Counter())[r.roles[0]] += 1
    return max((c.most_common(1)[0][1] / sum(c.values()) for c in by_band.values()), default=0.0)


def stress_report(
    rubric: Rubric, people: int = 1000, seed: int = 1, loading: float = 0.6
) -> list[StressFigures]:
    return [stress_figures(rubric, stress, people, seed, loading) for stress in MODELS]


def format_stress(rubric: Rubric, figures: Sequence[StressFigures]) -> str:
    """The stress table as `rubric simulate --stress` prints it: a row per figure."""

    def pct(value: float) -> str:
        return f"{100 * value:.1f}%"

    rows = [
        ("lowest alpha of an area", lambda f: f"{f.alpha_min:.2f}"),
        ("same band on retest", lambda f: pct(f.same_band)),
        ("honest flagged, one sitting", lambda f: pct(f.flagged_once)),
        ("honest flagged, two sittings", lambda f: pct(f.flagged_either)),
        ("random: no verdict", lambda f: pct(f.no_verdict["random"])),
        ("half-careless: no verdict", lambda f: pct(f.no_verdict["half-careless"])),
        ("Strong fit, honest", lambda f: pct(f.strong["honest"])),
        ("Strong fit, mild fakers", lambda f: pct(f.strong["mild-faker"])),
        ("Strong fit, informed fakers", lambda f: pct(f.strong["informed-faker"])),
        ("Strong fit at +1.5 sd, honest", lambda f: pct(f.strong_at_plus_1_5)),
        ('strategic "Not sure" gain', lambda f: f"{f.not_sure_gain:+.1f}"),
        ("strength or gap kept on retest", lambda f: pct(f.label_kept)),
        ("... or same side of its line", lambda f: pct(f.label_side)),
        ("band changes told near a line", lambda f: pct(f.changes_told)),
        ("told near a line: band changes", lambda f: pct(f.near_changed)),
        ("one role's top share in a band", lambda f: pct(f.top_role_share)),
    ]
    names = [f.model.name for f in figures]
    lines = [f"{rubric.id} {rubric.version}: stress models, {figures[0].people} people each"]
    lines += [f"  {f.model.name}: {f.model.description}" for f in figures]
    lines.append("")
    lines.append(f"  {'figure':<32}" + "".join(f"{n:>10}" for n in names))
    for label, value in rows:
        lines.append(f"  {label:<32}" + "".join(f"{value(f):>10}" for f in figures))
    return "\n".join(lines)
