"""A respondent simulation: made-up people with known traits, answered through the real scoring. Pure.

The model (docs/validity.md says why each choice was made):

- **Traits.** Each person has one latent trait per dimension, standard normal, correlated through a
  general factor: ``theta_d = sqrt(rho) * g + sqrt(1 - rho) * e_d`` (``rho`` = ``trait_correlation``).
- **Statements.** A one-factor model per item: the person's agreement is
  ``loading * theta_d + sqrt(1 - loading^2) * noise`` for a plus-keyed statement and its negative
  for a reverse-keyed one, plus the person's response style; it is cut into the five answers at
  fixed thresholds shifted by a per-item difficulty. A small share of statements is answered
  "Not sure".
- **Scenarios.** A multinomial-logit choice: each option's pull grows with the points it gives
  each dimension times the person's trait there, plus Gumbel noise.
- **Attention checks.** Answered as asked, except for a small careless-slip rate.
- **Response styles.** ``honest`` (the above, with a slight personal lean towards agreeing),
  ``acquiescent`` (a strong lean towards agreeing), ``extreme`` (thresholds pulled towards the
  middle, so answers land on the ends of the scale), ``random`` (every answer equally likely),
  ``all-agree`` and ``all-disagree`` (the same answer throughout).
"""

from __future__ import annotations

import bisect
import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .item_stats import cross_products, reliability
from .quality import corrected_keyed_scores
from .rubric import LIKERT_MAX, LIKERT_MIN, Rubric
from .scoring import Answer, ScoredResult, score

STYLES = ("honest", "acquiescent", "extreme", "random", "all-agree", "all-disagree")
THRESHOLDS = (-1.3, -0.45, 0.35, 1.25)  # on the agreement scale, standard-normal units
EXTREME_SQUEEZE = 0.6  # extreme responders' thresholds, as a share of the usual distance


@dataclass(frozen=True)
class Model:
    """The simulation's parameters; the defaults are the ones the tests pin."""

    loading: float = 0.6
    trait_correlation: float = 0.3
    difficulty_sd: float = 0.25
    lean_sd: float = 0.15  # an honest person's slight tendency to agree with anything
    acquiescence: float = 1.2  # the lean of an acquiescent responder
    not_sure: float = 0.02
    careless: float = 0.01  # chance an attentive person slips on an attention check
    scenario_sensitivity: float = 1.0


class Simulator:
    """Made-up respondents for one rubric; item difficulties are fixed by the seed."""

    def __init__(self, rubric: Rubric, model: Model | None = None, seed: int = 1):
        self.rubric = rubric
        self.model = model or Model()
        self.rng = random.Random(seed)  # noqa: S311 (a reproducible simulation, not a secret)
        self.dims = [d.id for d in rubric.dimensions]
        position = {d: n for n, d in enumerate(self.dims)}
        self.items = [
            (i.id, position[d.id], i.keyed == "plus", self.rng.gauss(0, self.model.difficulty_sd))
            for d in rubric.dimensions
            for i in d.items
        ]
        self.scenarios = [
            (
                s.id,
                [o.id for o in s.options],
                [[(position[d], (p - 2) / 2) for d, p in o.points.items()] for o in s.options],
            )
            for s in rubric.scenarios
        ]

    def traits(self, centre: Sequence[float] | None = None) -> list[float]:
        """One person's latent traits: correlated standard normals, or a fixed profile plus noise."""
        rho = self.model.trait_correlation
        if centre is not None:
            return [c + 0.3 * self.rng.gauss(0, 1) for c in centre]
        g = self.rng.gauss(0, 1)
        return [math.sqrt(rho) * g + math.sqrt(1 - rho) * self.rng.gauss(0, 1) for _ in self.dims]

    def answers(self, traits: Sequence[float], style: str = "honest") -> dict[str, Answer]:
        """One sitting's answers to every question, for a person with these traits and style."""
        if style not in STYLES:
            raise ValueError(f"unknown response style {style!r}; choose from {', '.join(STYLES)}")
        rng, m = self.rng, self.model
        out: dict[str, Answer] = {}
        fixed = {"all-agree": LIKERT_MAX, "all-disagree": LIKERT_MIN}.get(style)
        lean = {"honest": rng.gauss(0, m.lean_sd), "acquiescent": m.acquiescence}.get(style, 0.0)
        squeeze = EXTREME_SQUEEZE if style == "extreme" else 1.0
        noise_sd = math.sqrt(1 - m.loading**2)
        for item_id, dim, plus, difficulty in self.items:
            if fixed is not None:
                out[item_id] = fixed
            elif style == "random":
                out[item_id] = rng.randint(LIKERT_MIN, LIKERT_MAX)
            elif rng.random() < m.not_sure:
                out[item_id] = None
            else:
                signal = m.loading * traits[dim] * (1 if plus else -1)
                agreement = signal + noise_sd * rng.gauss(0, 1) + lean - difficulty
                cuts = [t * squeeze for t in THRESHOLDS]
                out[item_id] = LIKERT_MIN + bisect.bisect(cuts, agreement)
        for check in self.rubric.checks:
            if fixed is not None:
                out[check.id] = fixed
            elif style == "random" or rng.random() < m.careless:
                out[check.id] = rng.randint(LIKERT_MIN, LIKERT_MAX)
            else:
                out[check.id] = check.accept[0]
        for scenario_id, option_ids, options in self.scenarios:
            if style == "random" or fixed is not None:
                out[scenario_id] = rng.choice(option_ids)
                continue
            pulls = [
                m.scenario_sensitivity * sum(w * traits[d] for d, w in points)
                - math.log(-math.log(rng.random() or 1e-12))
                for points in options
            ]
            out[scenario_id] = option_ids[pulls.index(max(pulls))]
        return out

    def sit(self, traits: Sequence[float], style: str = "honest") -> tuple[dict, ScoredResult]:
        answers = self.answers(traits, style)
        return answers, score(self.rubric, answers)


# --- statistics --------------------------------------------------------------------------------


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman's rank correlation (average ranks for ties)."""
    return pearson(_ranks(xs), _ranks(ys))


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float:
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else 0.0


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def cohen_kappa(first: Sequence[str | None], second: Sequence[str | None]) -> float:
    """Agreement between two sittings' bands beyond what chance would give."""
    n = len(first)
    observed = sum(1 for a, b in zip(first, second, strict=True) if a == b) / n
    ca, cb = Counter(first), Counter(second)
    expected = sum(ca[k] * cb[k] for k in ca) / (n * n)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


# --- the report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionFigures:
    dimension_id: str
    alpha: float | None
    item_total: tuple[tuple[str, float | None], ...]
    rank_recovery: float
    flip_rate: float  # strength in one sitting and gap in the other, or the reverse
    mean: float
    sd: float


@dataclass(frozen=True)
class SimulationReport:
    people: int
    seed: int
    model: Model
    dimensions: tuple[DimensionFigures, ...]
    overall_sd: float
    overall_reliability: float  # correlation of two sittings' overall scores
    band_agreement: float
    band_kappa: float
    band_shares: dict[str, dict[str | None, float]]  # style -> band (None: no band) -> share
    flagged: dict[str, float]  # style -> share of sittings judged unclear
    statement_means: dict[str, float]  # "all-agree"/"all-disagree" -> mean statement score
    top_roles: dict[str, float]  # role -> share of honest people for whom it ranks first
    role_groups: dict[str, str | None]  # role -> the role ranked first most often in its group


def simulate(
    rubric: Rubric,
    people: int = 2000,
    seed: int = 1,
    model: Model | None = None,
    progress: Callable[[str], None] | None = None,
) -> SimulationReport:
    """Run the whole simulation and return every figure `rubric simulate` prints."""
    sim = Simulator(rubric, model, seed)
    say = progress or (lambda _message: None)
    say(f"{people} honest people, two sittings each")
    traits = [sim.traits() for _ in range(people)]
    first = [sim.sit(t) for t in traits]
    second = [sim.sit(t) for t in traits]
    dims = tuple(dimension_figures(rubric, d, traits, first, second) for d in rubric.dimensions)
    overall = [(a[1].overall, b[1].overall) for a, b in zip(first, second, strict=True)]
    overall = [(a, b) for a, b in overall if a is not None and b is not None]
    bands_a = [r.band for _, r in first]
    bands_b = [r.band for _, r in second]
    say("response styles")
    shares, flagged = {"honest": _shares(bands_a)}, {"honest": _flag_rate(first)}
    statement_means = {}
    for style in STYLES[1:]:
        runs = [sim.sit(sim.traits(), style) for _ in range(max(200, people // 4))]
        shares[style] = _shares([r.band for _, r in runs])
        flagged[style] = _flag_rate(runs)
        if style.startswith("all-"):
            statement_means[style] = _mean(
                [d.likert for _, r in runs for d in r.dimensions if d.likert is not None]
            )
    say("related roles")
    tops = Counter(r.roles[0] for _, r in first if r.roles)
    return SimulationReport(
        people=people,
        seed=seed,
        model=sim.model,
        dimensions=dims,
        overall_sd=_sd([a for a, _ in overall]),
        overall_reliability=pearson([a for a, _ in overall], [b for _, b in overall]),
        band_agreement=sum(1 for a, b in zip(bands_a, bands_b, strict=True) if a == b) / people,
        band_kappa=cohen_kappa(bands_a, bands_b),
        band_shares=shares,
        flagged=flagged,
        statement_means=statement_means,
        top_roles={r.id: tops[r.id] / people for r in rubric.related_roles},
        role_groups=role_groups(sim),
    )


def latent_profile(sim: Simulator, profile: dict[str, float]) -> list[float]:
    """Traits whose expected scores come near a 0-100 profile (a linear map fitted on the model)."""
    # Expected keyed score is about 50 + SCALE * theta on this model; see docs/validity.md.
    scale = 24.0 * sim.model.loading / 0.6
    return [(profile[d] - 50.0) / scale for d in sim.dims]


def role_groups(sim: Simulator, size: int = 60) -> dict[str, str | None]:
    """For each role, simulate people centred on its profile; which role ranks first most often."""
    out: dict[str, str | None] = {}
    for role in sim.rubric.related_roles:
        if not role.profile:
            continue
        centre = latent_profile(sim, role.profile)
        firsts = Counter()
        for _ in range(size):
            result = score(sim.rubric, sim.answers(sim.traits(centre)))
            if result.roles:
                firsts[result.roles[0]] += 1
        out[role.id] = firsts.most_common(1)[0][0] if firsts else None
    return out


def dimension_figures(rubric, dim, traits, first, second) -> DimensionFigures:
    """One dimension's figures from two sittings of the same people (the stress lab uses it too)."""
    position = [d.id for d in rubric.dimensions].index(dim.id)
    ids = [i.id for i in dim.items]
    corrected = rubric.scoring.quality is not None and rubric.scoring.quality.lean_corrected
    n, sums, cross = 0, dict.fromkeys(ids, 0.0), {}
    for answers, _ in first:
        values = [answers.get(i) for i in ids]
        if any(not isinstance(v, int) for v in values):
            continue
        if corrected:  # the reliability of what the quality check judges (docs/validity.md)
            lean_free = corrected_keyed_scores(rubric, answers)
            keyed = [lean_free[i] for i in ids]
        else:
            keyed = [item.keyed_score(v) for item, v in zip(dim.items, values, strict=True)]
        n += 1
        for item_id, value in zip(ids, keyed, strict=True):
            sums[item_id] += value
        for (a, b), product in cross_products(keyed).items():
            key = (ids[a], ids[b])
            cross[key] = cross.get(key, 0.0) + product
    rel = reliability(dim.id, ids, n, sums, cross)
    pairs = [
        (t[position], r.dimension(dim.id).score)
        for t, (_, r) in zip(traits, first, strict=True)
        if r.dimension(dim.id).score is not None
    ]
    flips = 0
    for (_, a), (_, b) in zip(first, second, strict=True):
        in_a, in_b = _side(a, dim.id), _side(b, dim.id)
        flips += {in_a, in_b} == {"strength", "gap"}
    values = [s for _, s in pairs]
    return DimensionFigures(
        dimension_id=dim.id,
        alpha=rel.alpha,
        item_total=tuple((i.item_id, i.corrected_item_total) for i in rel.items),
        rank_recovery=spearman([t for t, _ in pairs], values),
        flip_rate=flips / len(first),
        mean=_mean(values),
        sd=_sd(values),
    )


def _side(result: ScoredResult, dimension_id: str) -> str | None:
    if dimension_id in result.strengths:
        return "strength"
    if dimension_id in result.gaps:
        return "gap"
    return None


def _shares(bands: Sequence[str | None]) -> dict[str | None, float]:
    counts = Counter(bands)
    return {band: count / len(bands) for band, count in counts.items()}


def _flag_rate(runs) -> float:
    return sum(1 for _, r in runs if r.unclear) / len(runs)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def _sd(values: Sequence[float]) -> float:
    if len(values) < 2:
        return float("nan")
    m = _mean(values)
    return math.sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1))
