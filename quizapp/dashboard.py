"""The admin dashboard's figures for one rubric and a set of filters, as plain data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from .assessment.rubric import Dimension, Rubric
from .charts import (
    LIKERT_COLOURS,
    OPTION_COLOURS,
    ColumnChart,
    Segment,
    column_chart,
    stacked,
)
from .stats import (
    Filters,
    counselor_breakdown,
    daily_counts,
    link_breakdown,
    rollup_sums,
    score_values,
)

HISTOGRAM_BINS = 10  # 0 to under 10, 10 to under 20, ..., 90 to 100


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

    def histogram_chart(self, top: float | None = None) -> ColumnChart:
        """Scores in ranges of ten, the score axis marked at the ranges' edges."""
        width = 100 // HISTOGRAM_BINS
        return column_chart(
            [(f"scores {c.label}", c.n) for c in self.histogram],
            x_title="Score",
            y_title="People",
            x_ticks=[(i, str(i * width)) for i in range(HISTOGRAM_BINS + 1)],
            top=top,
            width=300,
            height=190,
            fill=0.86,
        )


@dataclass(frozen=True)
class QuestionFigure:
    """One question as the quiz page numbers it, with how often each answer was given."""

    id: str
    number: int  # the number the quiz page shows
    kind: str  # "statement", "check" (attention check, answers not counted) or "scenario"
    text: str
    dimension: str | None  # the dimension a statement scores; None otherwise
    counts: tuple[Count, ...]
    answered: int

    @property
    def colours(self) -> tuple[str, ...]:
        return OPTION_COLOURS if self.kind == "scenario" else LIKERT_COLOURS

    @property
    def bar(self) -> tuple[Segment, ...]:
        return stacked([(c.label, c.share) for c in self.counts], self.colours)


@dataclass(frozen=True)
class BandFigure:
    count: Count
    scores: str  # the overall scores the band covers, in words


def score_range(low: float, high: float, top: float = 100) -> str:
    """A range of 0-100 scores that includes its lower end and, except at the top, not its upper."""
    if high >= top:
        return f"{low:g} to {high:g}"
    return f"{low:g} to under {high:g}"


@dataclass(frozen=True)
class Dashboard:
    rubric: Rubric
    filters: Filters
    total: int
    mean_overall: float | None
    weeks: tuple[tuple[dt.date, int], ...]
    bands: tuple[Count, ...]
    dimensions: tuple[DimensionFigure, ...]
    questions: tuple[QuestionFigure, ...]  # in the quiz's order
    links: tuple
    counselors: tuple

    @property
    def week_chart(self) -> ColumnChart:
        years = sorted({week.year for week, _ in self.weeks})
        span = f"{years[0]}" if len(years) == 1 else f"{years[0]} to {years[-1]}"
        return column_chart(
            [(f"week of {week:%-d %b %Y}", n) for week, n in self.weeks],
            x_title=f"Week starting ({span})" if years else "Week starting",
            y_title="Results",
            x_ticks=[(i + 0.5, f"{week:%-d %b}") for i, (week, _) in enumerate(self.weeks)],
        )

    @property
    def histogram_charts(self) -> list[tuple[DimensionFigure, ColumnChart]]:
        """One histogram per dimension, all on the same scale so they can be compared."""
        top = max((c.n for fig in self.dimensions for c in fig.histogram), default=0)
        return [(fig, fig.histogram_chart(top)) for fig in self.dimensions]

    @property
    def band_figures(self) -> list[BandFigure]:
        ranges = {b.label: score_range(b.min, b.max) for b in self.rubric.bands}
        return [BandFigure(c, ranges.get(c.label, "")) for c in self.bands]

    @property
    def answer_keys(self) -> list[tuple[str, str]]:
        """(label, colour) of each answer to a statement, "Not sure" last."""
        labels = [p.label for p in self.rubric.scale] + [self.rubric.not_sure_label]
        return list(zip(labels, LIKERT_COLOURS, strict=True))

    @property
    def statements(self) -> tuple[QuestionFigure, ...]:
        """Statements and attention checks, in the quiz's order."""
        return tuple(q for q in self.questions if q.kind != "scenario")

    @property
    def scenarios(self) -> tuple[QuestionFigure, ...]:
        return tuple(q for q in self.questions if q.kind == "scenario")


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
    labels = [score_range(i * width, i * width + width) for i in range(HISTOGRAM_BINS)]
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
    """Every question in the quiz's order and with its numbers; attention checks are not tallied."""

    def n(qid: str, value: float) -> int:
        return sums.get(("ans", qid, value), (0, 0.0))[0]

    def figure(qid, kind, text, dimension, pairs) -> QuestionFigure:
        number = numbers[qid]
        return QuestionFigure(
            qid, number, kind, text, dimension, counts(pairs), sum(c for _, c in pairs)
        )

    numbers = rubric.question_numbers
    checks = {c.id: c for c in rubric.checks}
    out = []
    for qid in (i for section in rubric.sections for i in section.items):
        if qid in checks:
            out.append(figure(qid, "check", checks[qid].text, None, []))
            continue
        pairs = [(p.label, n(qid, float(p.value))) for p in rubric.scale]
        pairs.append((rubric.not_sure_label, n(qid, 0.0)))
        out.append(
            figure(qid, "statement", rubric.item(qid).text, rubric.dimension_of(qid).id, pairs)
        )
    for scenario in rubric.scenarios:
        pairs = [(o.text, n(scenario.id, float(i + 1))) for i, o in enumerate(scenario.options)]
        out.append(figure(scenario.id, "scenario", scenario.prompt, None, pairs))
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
