"""Aggregate queries over stored results, computed by the database (COUNT, AVG, GROUP BY)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

from sqlalchemy import Select, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..storage import rollup
from ..storage.catalog import scored_with
from ..storage.models import CompareSnapshot, QuizLink, Result, ResultScore, StatRollup, User, today


@dataclass(frozen=True)
class Filters:
    """Which results a figure covers; every dashboard figure and export honours these."""

    since: dt.date | None = None
    until: dt.date | None = None
    rubric_id: str | None = None
    rubric_version: str | None = None
    link_id: int | None = None
    first: int | None = None  # only the first N matching results, in the order they arrived

    def _days_and_rubric(self, day, rubric_id, rubric_version) -> list:
        conditions = []
        if self.since is not None:
            conditions.append(day >= self.since)
        if self.until is not None:
            conditions.append(day <= self.until)
        if self.rubric_id is not None:
            conditions.append(rubric_id == self.rubric_id)
        if self.rubric_version is not None:
            conditions.append(rubric_version == self.rubric_version)
        return conditions

    def apply(self, query: Select) -> Select:
        """Restrict a query over results."""
        conditions = self._days_and_rubric(
            Result.completed_on, Result.rubric_id, Result.rubric_version
        )
        if self.link_id is not None:
            conditions.append(Result.link_id == self.link_id)
        if self.first is not None:
            earliest = select(Result.id).where(*conditions).order_by(Result.id).limit(self.first)
            conditions = [Result.id.in_(earliest.scalar_subquery())]
        return query.where(*conditions) if conditions else query

    def apply_to_rollup(self, query: Select) -> Select:
        """Restrict a query over running totals by day and rubric (the link is chosen apart)."""
        conditions = self._days_and_rubric(
            StatRollup.day, StatRollup.rubric_id, StatRollup.rubric_version
        )
        return query.where(*conditions) if conditions else query


@dataclass(frozen=True)
class DimensionStat:
    """Mean and spread of one dimension's scores over the results that have one."""

    dimension_id: str
    count: int
    mean: float | None
    sd: float | None


def result_count(session: Session, filters: Filters) -> int:
    return session.scalar(filters.apply(select(func.count()).select_from(Result))) or 0


def result_count_upto(session: Session, filters: Filters, cap: int) -> int:
    """How many results the filters select, counting no further than ``cap``.

    A small-group check reads at most ``cap`` rows of an index, whatever the size of the service.
    """
    chosen = filters.apply(select(Result.id)).limit(cap).subquery()
    return session.scalar(select(func.count()).select_from(chosen)) or 0


def band_counts(session: Session, filters: Filters) -> dict[str | None, int]:
    """Number of results per band (None: no band, too few answers)."""
    query = filters.apply(select(Result.band, func.count()).group_by(Result.band))
    return {band: n for band, n in session.execute(query)}


def _scores(filters: Filters, *columns) -> Select:
    query = select(ResultScore.dimension_id, *columns).join(
        Result, Result.id == ResultScore.result_id
    )
    return filters.apply(query).group_by(ResultScore.dimension_id)


def dimension_stats(session: Session, filters: Filters) -> dict[str, DimensionStat]:
    """Count, mean and population standard deviation of each dimension's scores."""
    query = _scores(
        filters,
        func.count(ResultScore.score),
        func.avg(ResultScore.score),
        func.avg(ResultScore.score * ResultScore.score),
    )
    out = {}
    for dim_id, n, mean, mean_sq in session.execute(query):
        sd = math.sqrt(max(float(mean_sq) - float(mean) ** 2, 0.0)) if n else None
        out[dim_id] = DimensionStat(dim_id, n, float(mean) if n else None, sd)
    return out


def below_counts(session: Session, filters: Filters, threshold: float) -> dict[str, int]:
    """How many results score below ``threshold`` on each dimension (the rubric's gaps)."""
    below = func.sum(case((ResultScore.score < threshold, 1), else_=0))
    return {dim_id: int(n or 0) for dim_id, n in session.execute(_scores(filters, below))}


def absolute_deviations(
    session: Session, filters: Filters, centres: dict[str, float]
) -> dict[str, float]:
    """Sum of |score - centre| per dimension, around a given centre for each (a spread)."""
    if not centres:
        return {}
    centre = case(
        *((ResultScore.dimension_id == d, c) for d, c in centres.items()), else_=ResultScore.score
    )
    query = _scores(filters, func.sum(func.abs(ResultScore.score - centre)))
    return {dim_id: float(total or 0.0) for dim_id, total in session.execute(query)}


# --- Service-wide figures, summed from the running totals in stat_rollup -----------------------


def fold_pending(session: Session) -> int:
    """Add the results stored since the last read to the running totals (quizapp/rollup.py)."""
    if not rollup.pending(session):
        return 0
    return rollup.fold(session, scored_with)


def _rollup(filters: Filters, *columns) -> Select:
    """A query over the running totals of the filtered days, rubric and link."""
    query = select(*columns)
    link_key = rollup.ALL if filters.link_id is None else filters.link_id
    return filters.apply_to_rollup(query.where(StatRollup.link_key == link_key))


ONE_DAY = dt.timedelta(days=1)


def _spans(filters: Filters) -> list[tuple[str, dt.date | None, dt.date | None]]:
    """(kind suffix, first day, last day) spans covering the filtered days once each: the
    whole months from the monthly rows (suffix ``/m``), the days at either end from the daily
    rows. An open end of the filter stays open."""
    since, until = filters.since, filters.until
    start = since if since is None or since.day == 1 else rollup.next_month(since)
    stop = None
    if until is not None:
        stop = rollup.next_month(until) if (until + ONE_DAY).day == 1 else until.replace(day=1)
    if start is not None and stop is not None and start >= stop:
        return [("", since, until)]  # no whole month inside: days only
    spans = [(rollup.MONTHLY, start, None if stop is None else stop - ONE_DAY)]
    if since is not None and since < start:
        spans.append(("", since, start - ONE_DAY))
    if until is not None and stop <= until:
        spans.append(("", stop, until))
    return spans


def _summed(session: Session, filters: Filters, kinds, *columns) -> dict[tuple, list]:
    """{group: [n, total]} of the running totals of these kinds over the filtered days, grouped
    by ``columns`` (a monthly kind counted as its daily one)."""
    fold_pending(session)
    out: dict[tuple, list] = {}
    for suffix, first, last in _spans(filters):
        span = replace(filters, since=first, until=last)
        query = _rollup(span, *columns, func.sum(StatRollup.n), func.sum(StatRollup.total))
        query = query.where(StatRollup.kind.in_([k + suffix for k in kinds]))
        for *group, n, total in session.execute(query.group_by(*columns)):
            if columns[0] is StatRollup.kind:
                group[0] = group[0].removesuffix(suffix)
            cell = out.setdefault(tuple(group), [0, 0.0])
            cell[0] += int(n)
            cell[1] += float(total)
    return out


def rollup_sums(session: Session, filters: Filters, kinds: tuple[str, ...]) -> dict:
    """Return {(kind, key, value): (n, total)} summed over the filtered running totals."""
    columns = (StatRollup.kind, StatRollup.key, StatRollup.value)
    summed = _summed(session, filters, kinds, *columns)
    return {(k, key, float(v)): (n, t) for (k, key, v), (n, t) in summed.items()}


def daily_counts(session: Session, filters: Filters) -> list[tuple[dt.date, int]]:
    """Results per day, oldest first."""
    fold_pending(session)
    query = (
        _rollup(filters, StatRollup.day, func.sum(StatRollup.n))
        .where(StatRollup.kind == "all")
        .group_by(StatRollup.day)
        .order_by(StatRollup.day)
    )
    return [(day, int(n)) for day, n in session.execute(query)]


def score_values(session: Session, filters: Filters) -> dict[str, list[tuple[float, int]]]:
    """Each dimension's distinct scores with their counts, lowest first (exact medians).

    Read from the running totals, for all results or one link alike: the work grows with the
    days covered, not with the number of results.
    """
    return _values(session, filters, "val")


def _values(session: Session, filters: Filters, kind: str) -> dict[str, list[tuple[float, int]]]:
    """{key: [(value, count), ...]} of a kind of value histogram, lowest value first."""
    out: dict[str, list[tuple[float, int]]] = {}
    summed = _summed(session, filters, (kind,), StatRollup.key, StatRollup.value)
    for (dim_id, value), (n, _) in summed.items():
        out.setdefault(dim_id, []).append((float(value), n))
    return {k: sorted(v) for k, v in out.items()}


def link_breakdown(session: Session, filters: Filters) -> list[tuple[QuizLink, str, int, float]]:
    """Per quiz link: (link, counselor name, results, sum of overall scores), most results first."""
    fold_pending(session)
    results = func.sum(StatRollup.n)
    query = (
        select(QuizLink, User.username, results, func.sum(StatRollup.total))
        .select_from(StatRollup)
        .join(QuizLink, StatRollup.link_key == QuizLink.id)
        .join(User, User.id == QuizLink.owner_id)
        .where(StatRollup.kind == "all")
        .group_by(QuizLink.id, User.username)
    )
    if filters.link_id is not None:
        query = query.where(QuizLink.id == filters.link_id)
    query = filters.apply_to_rollup(query).order_by(results.desc(), QuizLink.id)
    return [(link, name, int(n), float(t)) for link, name, n, t in session.execute(query)]


def rubric_versions(session: Session) -> list[tuple[str, str]]:
    """(rubric id, version) pairs that have results."""
    fold_pending(session)
    query = (
        select(StatRollup.rubric_id, StatRollup.rubric_version)
        .where(StatRollup.kind == "all", StatRollup.link_key == rollup.ALL)
        .distinct()
        .order_by(StatRollup.rubric_id, StatRollup.rubric_version)
    )
    return [tuple(row) for row in session.execute(query)]


@dataclass(frozen=True)
class Comparison:
    """Where one result stands among everyone who took the same rubric version, in tenths.

    Read from the day's frozen snapshot (``compare_snapshots``): a new result never moves
    anyone's line the same day, and a tenth hides the small moves of the next (docs/privacy.md).
    """

    others: int  # people in the snapshot, rounded down to tens
    overall: float | None  # share of the snapshot below, in tenths (0.0 to 0.9)
    dimensions: dict[str, float]  # dimension id -> the same for each dimension


def _cuts(values: list[tuple[float, int]]) -> list[float]:
    """The nine decile cut points of a histogram of (value, count), lowest first."""
    total = sum(n for _, n in values)
    if not total:
        return []
    cuts, seen, index = [], 0, 0
    for tenth in range(1, 10):
        rank = tenth * total / 10
        while index < len(values) - 1 and seen + values[index][1] < rank:
            seen += values[index][1]
            index += 1
        cuts.append(values[index][0])  # the lowest value with a tenth of people at or below it
    return cuts


def snapshot(session: Session, rubric_id: str, version: str, day: dt.date) -> CompareSnapshot:
    """The day's decile snapshot of a rubric version, made at its first use that day.

    Made from the running totals, so its cost grows with the days of results, not their number.
    """
    found = session.get(CompareSnapshot, (rubric_id, version, day))
    if found is not None:
        return found
    filters = Filters(rubric_id=rubric_id, rubric_version=version)
    cuts = {"overall": _cuts(_values(session, filters, "ovl").get("", []))}
    cuts |= {d: _cuts(values) for d, values in score_values(session, filters).items()}
    count = rollup_sums(session, filters, ("all",)).get(("all", "", 0.0), (0, 0.0))[0]
    made = CompareSnapshot(
        rubric_id=rubric_id, rubric_version=version, day=day, count=count, cuts=cuts
    )
    session.add(made)
    try:
        session.commit()
    except IntegrityError:  # made by a parallel request a moment ago: use that one
        session.rollback()
        return session.get(CompareSnapshot, (rubric_id, version, day))
    return made


def _tenth(cuts: list[float], value: float) -> float:
    return sum(1 for c in cuts if c < value) / 10


def compare(session: Session, result: Result, minimum: int) -> Comparison | None:
    """Compare a result with its rubric version's snapshot; None while there are too few."""
    frozen = snapshot(session, result.rubric_id, result.rubric_version, today())
    if frozen.count < minimum:
        return None
    overall = None
    if result.overall is not None and frozen.cuts.get("overall"):
        overall = _tenth(frozen.cuts["overall"], result.overall)
    shares = {
        line.dimension_id: _tenth(frozen.cuts[line.dimension_id], line.score)
        for line in result.scores
        if line.score is not None and frozen.cuts.get(line.dimension_id)
    }
    return Comparison(frozen.count // 10 * 10, overall, shares)
