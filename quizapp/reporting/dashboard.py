"""The admin dashboard's figures for one rubric and a set of filters, as plain data.

Admins keep to the small-group rule of the counselors' pages (docs/privacy.md), with k =
``QUIZAPP_COHORT_MIN_SIZE``: a selection of fewer than k results, whatever filters made it,
shows no figure and cannot be exported; within a larger one, no row or figure covers fewer than
k people, read off the page or worked out by subtracting one shown figure from another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..assessment.rubric import Dimension, Rubric
from ..storage.models import QuizLink
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
    daily_counts,
    link_breakdown,
    result_count_upto,
    rollup_sums,
    score_values,
)

HISTOGRAM_BINS = 10  # 0 to under 10, 10 to under 20, ..., 90 to 100
SHOWN = "no figures are shown"
OTHER_RESULTS = "Other results together: without a link, or through links not shown on their own"
EXPORTED = "it cannot be exported"


def too_few(minimum: int, filters: Filters, outcome: str = SHOWN) -> str:
    """The reason a selection's figures are withheld, and what would widen it, in words."""
    steps = []
    if filters.since is not None or filters.until is not None:
        steps.append("widen the dates")
    if filters.link_id is not None:
        steps.append("choose another link")
    advice = " or ".join(steps) or "choose another quiz version, or wait for more results"
    return (
        f"This selection holds fewer than {minimum} results, so {outcome}: with so few people, "
        f"figures would describe individuals. {advice[0].upper()}{advice[1:]}."
    )


def selection_refusal(
    session: Session, filters: Filters, minimum: int, outcome: str = SHOWN
) -> str | None:
    """Why the filtered selection may be neither shown nor exported, or None.

    The count is of the results these filters select (an empty selection included: "none"
    and "one" must look alike), never of a link's all-time total.
    """
    if result_count_upto(session, filters, minimum) < minimum:
        return too_few(minimum, filters, outcome)
    return None


@dataclass(frozen=True)
class Count:
    label: str
    n: int
    share: float  # 0..1 of the figure's total


@dataclass(frozen=True)
class DimensionFigure:
    """A dimension's figures; none (``shown`` false) when fewer than k results have its score."""

    dimension: Dimension
    n: int
    mean: float | None
    median: float | None
    histogram: tuple[Count, ...]

    @property
    def shown(self) -> bool:
        return bool(self.histogram)

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
    counts: tuple[Count, ...]  # empty for a check, or when fewer than k answered it
    answered: int

    @property
    def shown(self) -> bool:
        return bool(self.counts)

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
class LinkRow:
    """A quiz link's results in the selection; ``link`` is None on the row of all the others."""

    link: QuizLink | None
    counselor: str | None
    n: int
    overall_sum: float

    @property
    def mean(self) -> float | None:
        return self.overall_sum / self.n if self.n else None

    @property
    def label(self) -> str:
        return self.link.label if self.link else OTHER_RESULTS


@dataclass(frozen=True)
class CounselorRow:
    """A counselor's links that have rows of their own, together."""

    name: str
    links: int
    n: int
    mean: float | None


@dataclass(frozen=True)
class Period:
    """Results in the weeks from the one starting ``first`` to the one starting ``last``."""

    first: dt.date  # a Monday
    last: dt.date
    n: int

    @property
    def text(self) -> str:
        if self.first == self.last:
            return f"{self.first:%-d %b %Y}"
        return f"{self.first:%-d %b %Y} to {self.last:%-d %b %Y}"


@dataclass(frozen=True)
class Dashboard:
    """Every figure of the dashboard, or only why there are none (``withheld``)."""

    rubric: Rubric
    filters: Filters
    minimum: int  # k: no figure covers fewer people
    withheld: str | None = None
    total: int = 0
    mean_overall: float | None = None
    weeks: tuple[Period, ...] = ()  # single weeks, or runs of weeks pooled to hold k results
    bands: tuple[Count, ...] = ()
    dimensions: tuple[DimensionFigure, ...] = ()
    questions: tuple[QuestionFigure, ...] = ()  # in the quiz's order
    links: tuple[LinkRow, ...] = ()  # links of at least k results, then the others together
    counselors: tuple[CounselorRow, ...] = ()

    @property
    def week_count(self) -> int:
        """Weeks from the first result's to the last's."""
        return (self.weeks[-1].last - self.weeks[0].first).days // 7 + 1 if self.weeks else 0

    @property
    def weeks_pooled(self) -> bool:
        return any(p.first != p.last for p in self.weeks)

    @property
    def named_links(self) -> tuple[LinkRow, ...]:
        return tuple(row for row in self.links if row.link is not None)

    @property
    def week_chart(self) -> ColumnChart:
        years = sorted({day.year for p in self.weeks for day in (p.first, p.last)})
        span = f"{years[0]}" if len(years) == 1 else f"{years[0]} to {years[-1]}"
        return column_chart(
            [
                (f"weeks of {p.text}" if p.first != p.last else f"week of {p.text}", p.n)
                for p in self.weeks
            ],
            x_title=f"Week starting ({span})" if years else "Week starting",
            y_title="Results",
            x_ticks=[(i + 0.5, f"{p.first:%-d %b}") for i, p in enumerate(self.weeks)],
        )

    @property
    def shown_dimensions(self) -> tuple[DimensionFigure, ...]:
        return tuple(fig for fig in self.dimensions if fig.shown)

    @property
    def histogram_charts(self) -> list[tuple[DimensionFigure, ColumnChart]]:
        """One histogram per shown dimension, all on one scale so they can be compared."""
        shown = self.shown_dimensions
        top = max((c.n for fig in shown for c in fig.histogram), default=0)
        return [(fig, fig.histogram_chart(top)) for fig in shown]

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


_WIDTH = 100 // HISTOGRAM_BINS
HISTOGRAM_LABELS = tuple(
    score_range(i * _WIDTH, i * _WIDTH + _WIDTH) for i in range(HISTOGRAM_BINS)
)


def histogram(values: Sequence[tuple[float, int]]) -> tuple[Count, ...]:
    bins = [0] * HISTOGRAM_BINS
    for value, n in values:
        bins[min(int(value // (100 / HISTOGRAM_BINS)), HISTOGRAM_BINS - 1)] += n
    return counts(list(zip(HISTOGRAM_LABELS, bins, strict=True)))


def weekly(daily: Sequence[tuple[dt.date, int]]) -> tuple[tuple[dt.date, int], ...]:
    """Results per week (weeks start on Monday), with empty weeks between counted as 0."""
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


def pooled_weeks(weeks: Sequence[tuple[dt.date, int]], minimum: int) -> tuple[Period, ...]:
    """Consecutive weeks counted together until each run holds at least ``minimum`` results (a
    short last run joins the one before), so no column or row counts 1 to k - 1 people, or 0.

    Called only for a selection of at least ``minimum``, so the runs always end full.
    """
    runs: list[list] = []
    for monday, n in weeks:
        if runs and runs[-1][2] < minimum:
            runs[-1][1:] = [monday, runs[-1][2] + n]
        else:
            runs.append([monday, monday, n])
    if len(runs) > 1 and runs[-1][2] < minimum:
        _, last, n = runs.pop()
        runs[-1][1:] = [last, runs[-1][2] + n]
    return tuple(Period(*run) for run in runs)


def link_rows(
    breakdown: Sequence[tuple[QuizLink, str, int, float]],
    total: int,
    overall_sum: float,
    minimum: int,
) -> tuple[LinkRow, ...]:
    """Links with at least ``minimum`` results here, most first, then every other result together.

    The other results (without a link, or through smaller links) are the total less the rows
    shown, so they too must number 0 or at least ``minimum``: while they are fewer, the smallest
    shown link joins them.
    """
    shown = [row for row in breakdown if row[2] >= minimum]  # most results first
    while shown and 0 < total - sum(n for _, _, n, _ in shown) < minimum:
        shown.pop()
    rows = [LinkRow(link, name, n, t) for link, name, n, t in shown]
    others = total - sum(row.n for row in rows)
    if rows and others:
        rows.append(LinkRow(None, None, others, overall_sum - sum(r.overall_sum for r in rows)))
    return tuple(rows)


def counselor_rows(links: Sequence[LinkRow]) -> tuple[CounselorRow, ...]:
    """Each counselor's links that have rows of their own, added up (most results first)."""
    per: dict[str, list] = {}
    for row in links:
        if row.link is not None:
            mine = per.setdefault(row.counselor, [0, 0, 0.0])
            mine[0] += 1
            mine[1] += row.n
            mine[2] += row.overall_sum
    rows = [CounselorRow(name, k, n, total / n) for name, (k, n, total) in per.items()]
    return tuple(sorted(rows, key=lambda row: (-row.n, row.name)))


def _questions(rubric: Rubric, sums: dict, minimum: int) -> tuple[QuestionFigure, ...]:
    """Every question in the quiz's order and with its numbers; attention checks are not tallied,
    and a question fewer than ``minimum`` people answered shows no counts."""

    def n(qid: str, value: float) -> int:
        return sums.get(("ans", qid, value), (0, 0.0))[0]

    def figure(qid, kind, text, dimension, pairs) -> QuestionFigure:
        number = numbers[qid]
        answered = sum(c for _, c in pairs)
        shown = counts(pairs) if pairs and answered >= minimum else ()
        return QuestionFigure(qid, number, kind, text, dimension, shown, answered)

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


def build_dashboard(session: Session, rubric: Rubric, filters: Filters, minimum: int) -> Dashboard:
    """Every figure of the dashboard, or none when the selection holds fewer than ``minimum``
    results; the database does the adding up."""
    reason = selection_refusal(session, filters, minimum)
    if reason:
        return Dashboard(rubric, filters, minimum, withheld=reason)
    sums = rollup_sums(session, filters, ("all", "band", "dim", "ans"))
    total, overall_sum = sums.get(("all", "", 0.0), (0, 0.0))
    if total < minimum:  # the running totals must cover k results too
        return Dashboard(rubric, filters, minimum, withheld=too_few(minimum, filters))
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
        if n < minimum:
            dimensions.append(DimensionFigure(dim, n, None, None, ()))
            continue
        dim_values = values.get(dim.id, [])
        dimensions.append(
            DimensionFigure(
                dim, n, score_sum / n, weighted_median(dim_values), histogram(dim_values)
            )
        )
    breakdown = link_breakdown(session, filters)
    links = link_rows(breakdown, total, overall_sum, minimum)
    return Dashboard(
        rubric=rubric,
        filters=filters,
        minimum=minimum,
        total=total,
        mean_overall=overall_sum / scored if scored >= minimum else None,
        weeks=pooled_weeks(weekly(daily_counts(session, filters)), minimum),
        bands=counts(band_pairs),
        dimensions=tuple(dimensions),
        questions=_questions(rubric, sums, minimum),
        links=links,
        counselors=counselor_rows(links),
    )
