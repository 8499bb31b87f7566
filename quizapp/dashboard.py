"""The admin dashboard's figures for one rubric and a set of filters, as plain data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from .assessment.rubric import Dimension, Rubric
from .stats import (
    Filters,
    counselor_breakdown,
    daily_counts,
    link_breakdown,
    rollup_sums,
    score_values,
)

HISTOGRAM_BINS = 10  # 0-9, 10-19, ..., 90-100


@dataclass(frozen=True)
class Count:
    label: str
    n: int
    share: float  # 0..1 of the figure's total


@dataclass(frozen=True)
class DimensionFigure:
    dimension: Dimension
    n: int
    mean: float | None
    median: float | None
    histogram: tuple[Count, ...]

    @property
    def histogram_chart(self) -> list[tuple[str, int]]:
        return [(c.label, c.n) for c in self.histogram]


@dataclass(frozen=True)
class QuestionFigure:
    id: str
    text: str
    dimension: str | None  # None for scenarios
    counts: tuple[Count, ...]
    answered: int


@dataclass(frozen=True)
class Dashboard:
    rubric: Rubric
    filters: Filters
    total: int
    mean_overall: float | None
    weeks: tuple[tuple[dt.date, int], ...]
    bands: tuple[Count, ...]
    dimensions: tuple[DimensionFigure, ...]
    questions: tuple[QuestionFigure, ...]
    links: tuple
    counselors: tuple

    @property
    def week_chart(self) -> list[tuple[str, int]]:
        return [(f"week of {week:%-d %b %Y}", n) for week, n in self.weeks]


def counts(pairs: Sequence[tuple[str, int]]) -> tuple[Count, ...]:
    total = sum(n for _, n in pairs)
    return tuple(Count(label, n, n / total if total else 0.0) for label, n in pairs)


def weighted_median(values: Sequence[tuple[float, int]]) -> float | None:
    """The exact median of values given with their counts (sorted ascending)."""
    total = sum(n for _, n in values)
    if not total:
        return None
    lower_rank, upper_rank = (total - 1) // 2, total // 2  # 0-based middle positions
    seen, lower = 0, None
    for value, n in values:
        if lower is None and seen + n > lower_rank:
            lower = value
        if seen + n > upper_rank:
            return (lower + value) / 2
        seen += n
    return None


def histogram(values: Sequence[tuple[float, int]]) -> tuple[Count, ...]:
    bins = [0] * HISTOGRAM_BINS
    for value, n in values:
        bins[min(int(value // (100 / HISTOGRAM_BINS)), HISTOGRAM_BINS - 1)] += n
    width = 100 // HISTOGRAM_BINS
    labels = [f"{i * width} to {i * width + width - 1}" for i in range(HISTOGRAM_BINS)]
    labels[-1] = f"{(HISTOGRAM_BINS - 1) * width} to 100"
    return counts(list(zip(labels, bins, strict=True)))


def weekly(daily: Sequence[tuple[dt.date, int]]) -> tuple[tuple[dt.date, int], ...]:
    """Results per week (weeks start on Monday), with empty weeks between shown as 0."""
    if not daily:
        return ()
    weeks: dict[dt.date, int] = {}
    for day, n in daily:
        monday = day - dt.timedelta(days=day.weekday())
        weeks[monday] = weeks.get(monday, 0) + n
    first, last = min(weeks), max(weeks)
    out, week = [], first
    while week <= last:
        out.append((week, weeks.get(week, 0)))
        week += dt.timedelta(days=7)
    return tuple(out)


def _questions(rubric: Rubric, sums: dict) -> tuple[QuestionFigure, ...]:
    def n(qid: str, value: float) -> int:
        return sums.get(("ans", qid, value), (0, 0.0))[0]

    out = []
    for dim in rubric.dimensions:
        for item in dim.items:
            pairs = [(p.label, n(item.id, float(p.value))) for p in rubric.scale]
            pairs.append((rubric.not_sure_label, n(item.id, 0.0)))
            answered = sum(c for _, c in pairs)
            out.append(QuestionFigure(item.id, item.text, dim.id, counts(pairs), answered))
    for scenario in rubric.scenarios:
        pairs = [(o.text, n(scenario.id, float(i + 1))) for i, o in enumerate(scenario.options)]
        out.append(
            QuestionFigure(
                scenario.id, scenario.prompt, None, counts(pairs), sum(c for _, c in pairs)
            )
        )
    return tuple(out)


def build_dashboard(session: Session, rubric: Rubric, filters: Filters) -> Dashboard:
    """Every figure of the dashboard; the database does the adding up."""
    sums = rollup_sums(session, filters, ("all", "band", "dim", "ans"))
    total, overall_sum = sums.get(("all", "", 0.0), (0, 0.0))
    band_n = {key: n for (kind, key, _), (n, _) in sums.items() if kind == "band"}
    scored = total - band_n.get("", 0)
    bands = sorted(rubric.bands, key=lambda b: -b.min)
    band_pairs = [(b.label, band_n.get(b.id, 0)) for b in bands]
    if band_n.get(""):
        band_pairs.append(("Not enough answers", band_n[""]))
    values = score_values(session, filters)
    dimensions = []
    for dim in rubric.dimensions:
        n, score_sum = sums.get(("dim", dim.id, 0.0), (0, 0.0))
        dim_values = values.get(dim.id, [])
        dimensions.append(
            DimensionFigure(
                dim,
                n,
                score_sum / n if n else None,
                weighted_median(dim_values),
                histogram(dim_values),
            )
        )
    return Dashboard(
        rubric=rubric,
        filters=filters,
        total=total,
        mean_overall=overall_sum / scored if scored else None,
        weeks=weekly(daily_counts(session, filters)),
        bands=counts(band_pairs),
        dimensions=tuple(dimensions),
        questions=_questions(rubric, sums),
        links=tuple(link_breakdown(session, filters)),
        counselors=tuple(counselor_breakdown(session, filters)),
    )
