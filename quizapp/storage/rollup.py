"""Running totals that keep dashboard figures fast: what each stored result adds, and adding it.

A submission does not touch these rows: it stores its result and one ``rollup_pending`` row
naming it. Whoever next reads the totals (a dashboard, the quality page, the day's comparison
snapshot, ``flask stats fold``) first folds the pending results in, in batches: a few hundred
rows a result are then written once per batch instead of once per submission, and concurrent
submissions never queue for the same running total.

Kinds of row (``key`` / ``value``; every row adds ``n`` and ``total``):

- ``all``: one per result; ``total`` adds the overall score (0 when there is none).
- ``band``: key = band id ('' for none); ``total`` adds the overall score.
- ``dim``: key = dimension id, for each scored dimension; ``total`` adds the score.
- ``ans``: key = question id, value = the answer (1-5 for statements, 0 for "Not sure",
  the option's position from 1 for scenarios).
- ``val``: key = dimension id, value = the score to two decimals (exact medians and percentiles).
- ``ovl``: value = the overall score (to one decimal, as stored), for the comparison snapshot.
- ``cvn``, ``cvs``, ``cov``: for people who answered every statement of a dimension, the count,
  each item's keyed-score sum (key ``dim:a``) and cross-products (key ``dim:a:b``, a <= b), from
  which rubric quality statistics are computed without reading answers again.

Per-link rows (link_key = link id, or 0 without a link) carry the dashboard's kinds (all, band,
dim, ans, val), so a link's dashboard sums its days' rows whatever the link's size; the
all-results rows (link_key = -1) carry every kind.

Every row also has a monthly twin: kind + ``/m`` (``val/m``), day = the first of its month,
adding up the month's daily rows. A figure over a span of dates sums the whole months from the
monthly rows and only the days at either end from the daily ones (``quizapp/stats.py``), so a
year costs 12 months' rows instead of 365 days'.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping

from sqlalchemy import Date, delete, exists, func, insert, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..assessment.item_stats import cross_products
from ..assessment.rubric import Rubric
from .models import PendingTotal, Result, ResultScore, StatRollup

ALL = -1
NO_LINK = 0
PER_LINK_KINDS = {"all", "band", "dim", "ans", "val"}
KINDS = ("all", "band", "dim", "ans", "val", "ovl", "cvn", "cvs", "cov")
MONTHLY = "/m"  # a kind's monthly rows: "val/m" adds up a month of "val" rows
KEY_COLUMNS = ("kind", "link_key", "rubric_id", "rubric_version", "key", "day", "value")

# (kind, key, value) -> [n, total]
Deltas = dict[tuple[str, str, float], list[float]]


def answer_value(rubric: Rubric, question_id: str, answer) -> float:
    """The number a stored answer is counted under (see the module docstring)."""
    for scenario in rubric.scenarios:
        if scenario.id == question_id:
            ids = [o.id for o in scenario.options]
            return float(ids.index(answer) + 1) if answer in ids else 0.0
    return float(answer) if isinstance(answer, int) else 0.0


def result_deltas(
    rubric: Rubric,
    answers: Mapping[str, object],
    overall: float | None,
    band: str | None,
    scores: Mapping[str, float | None],
) -> Deltas:
    """What one result adds to the all-results rows."""
    out: Deltas = defaultdict(lambda: [0, 0.0])

    def add(kind: str, key: str, value: float, total: float = 0.0) -> None:
        cell = out[(kind, key, value)]
        cell[0] += 1
        cell[1] += total

    add("all", "", 0.0, overall or 0.0)
    if overall is not None:
        add("ovl", "", round(overall, 1))
    add("band", band or "", 0.0, overall or 0.0)
    for dim_id, value in scores.items():
        if value is not None:
            add("dim", dim_id, 0.0, value)
            add("val", dim_id, round(value, 2))
    for question in [*(i.id for i in rubric.items), *(s.id for s in rubric.scenarios)]:
        add("ans", question, answer_value(rubric, question, answers.get(question)))
    for dim in rubric.dimensions:
        given = [answers.get(i.id) for i in dim.items]
        if not all(isinstance(a, int) for a in given):
            continue
        keyed = [item.keyed_score(a) for item, a in zip(dim.items, given, strict=True)]
        add("cvn", dim.id, 0.0)
        for a, x in enumerate(keyed):
            add("cvs", f"{dim.id}:{a}", 0.0, x)
        for (a, b), product in cross_products(keyed).items():
            add("cov", f"{dim.id}:{a}:{b}", 0.0, product)
    return out


def month_of(day: dt.date) -> dt.date:
    """The day that stands for a day's month in the monthly rows: the first of the month."""
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after ``day``'s."""
    return (month_of(day) + dt.timedelta(days=32)).replace(day=1)


def rows_for(
    deltas: Deltas, rubric_id: str, version: str, day: dt.date, link_id: int | None
) -> list[dict]:
    """Turn deltas into rollup rows: all of them for link_key -1, the light ones per link, each
    once for its day and once for its month."""
    link_key = link_id if link_id is not None else NO_LINK
    month = month_of(day)
    rows = []
    for (kind, key, value), (n, total) in deltas.items():
        base = {"rubric_id": rubric_id, "rubric_version": version, "key": key, "value": value}
        base |= {"n": n, "total": total}
        links = (ALL, link_key) if kind in PER_LINK_KINDS else (ALL,)
        for link in links:
            rows.append({**base, "kind": kind, "day": day, "link_key": link})
            rows.append({**base, "kind": kind + MONTHLY, "day": month, "link_key": link})
    return rows


def add_rows(session: Session, rows: Iterable[dict]) -> None:
    """Add rows to the running totals (insert, or add to an existing row with the same key)."""
    # One order for every writer: concurrent transactions then queue for a shared row instead
    # of each holding one the other needs (a deadlock on PostgreSQL).
    rows = sorted(rows, key=lambda row: tuple(row[column] for column in KEY_COLUMNS))
    if not rows:
        return
    table = StatRollup.__table__
    upsert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    statement = upsert(table)
    statement = statement.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS),
        set_={
            "n": table.c.n + statement.excluded.n,
            "total": table.c.total + statement.excluded.total,
        },
    )
    session.execute(statement, rows)


class Totals:
    """Running totals gathered in memory (per rubric version, day and link), written at once.

    Used for a fold of pending results and for bulk loads such as seeding: results of the same
    day and link share their rows, so a batch writes each row once.
    """

    def __init__(self) -> None:
        self.groups: dict[tuple[str, str, dt.date, int | None], Deltas] = {}

    def add(
        self,
        rubric: Rubric,
        day: dt.date,
        link_id: int | None,
        answers: Mapping[str, object],
        overall: float | None,
        band: str | None,
        scores: Mapping[str, float | None],
        version: str | None = None,
    ) -> None:
        """Add one result; ``version`` labels its rows when it differs from the rubric's own."""
        group = self.groups.setdefault((rubric.id, version or rubric.version, day, link_id), {})
        for key, (n, total) in result_deltas(rubric, answers, overall, band, scores).items():
            cell = group.get(key)
            if cell is None:
                group[key] = [n, total]
            else:
                cell[0] += n
                cell[1] += total

    def rows(self) -> list[dict]:
        """The rollup rows of everything added, merged by table key."""
        merged: dict[tuple, list] = {}
        for (rubric_id, version, day, link_id), deltas in self.groups.items():
            merge(merged, rows_for(deltas, rubric_id, version, day, link_id))
        return list(unmerge(merged))


FOLD_BATCH = 2000


def pending(session: Session) -> bool:
    """Whether some stored results are not in the running totals yet."""
    return bool(session.scalar(select(exists().where(PendingTotal.result_id.is_not(None)))))


def fold(session: Session, rubric_for, batch: int = FOLD_BATCH) -> int:
    """Add the running totals of results stored since the last fold; return how many.

    Each batch takes its pending rows off the queue (DELETE ... RETURNING) and adds what
    they sum to in the same transaction, so a result is counted once: a fold running at the
    same time on PostgreSQL waits for those rows and then finds them gone. ``rubric_for(id,
    version)`` gives the rubric a result was scored with; a result without one is dropped from
    the queue uncounted (its rubric file was removed).
    """
    folded = 0
    while True:
        first = select(PendingTotal.result_id).order_by(PendingTotal.result_id).limit(batch)
        taken = delete(PendingTotal).where(PendingTotal.result_id.in_(first.scalar_subquery()))
        try:
            ids = sorted(session.scalars(taken.returning(PendingTotal.result_id)).all())
            if not ids:
                session.commit()
                return folded
            totals = Totals()
            _gather(session, ids, rubric_for, totals)
            add_rows(session, totals.rows())
            session.commit()
        except BaseException:
            session.rollback()
            raise
        folded += len(ids)
        if len(ids) < batch:
            return folded


def _gather(session: Session, ids: list[int], rubric_for, totals: Totals) -> None:
    """Add the results with these ids (and their stored scores) to ``totals``."""
    scores: dict[int, dict[str, float | None]] = {}
    query = select(ResultScore.result_id, ResultScore.dimension_id, ResultScore.score)
    for result_id, dim_id, value in session.execute(query.where(ResultScore.result_id.in_(ids))):
        scores.setdefault(result_id, {})[dim_id] = value
    columns = (
        Result.id,
        Result.rubric_id,
        Result.rubric_version,
        Result.completed_on,
        Result.link_id,
        Result.answers,
        Result.overall,
        Result.band,
    )
    for rid, rubric_id, version, day, link_id, answers, overall, band in session.execute(
        select(*columns).where(Result.id.in_(ids))
    ):
        rubric = rubric_for(rubric_id, version)
        if rubric is not None:
            mine = scores.get(rid, {})
            totals.add(rubric, day, link_id, answers, overall, band, mine, version)


def merge(into: dict, rows: Iterable[dict]) -> None:
    """Add rows into an in-memory map keyed like the table (for bulk loads such as seeding)."""
    for row in rows:
        key = tuple(row[c] for c in KEY_COLUMNS)
        cell = into.get(key)
        if cell is None:
            into[key] = [row["n"], row["total"]]
        else:
            cell[0] += row["n"]
            cell[1] += row["total"]


def unmerge(merged: Mapping[tuple, list]) -> Iterable[dict]:
    for key, (n, total) in merged.items():
        yield {**dict(zip(KEY_COLUMNS, key, strict=True)), "n": n, "total": total}


def forget_before(session: Session, day: dt.date) -> None:
    """Drop the running totals of days before ``day`` (their results are being purged).

    The monthly rows of ``day``'s own month go too when the month started earlier; they are
    added up again from the daily rows that remain.
    """
    session.execute(delete(StatRollup).where(StatRollup.day < day))
    month = month_of(day)
    if month == day:
        return
    following = next_month(day)
    t = StatRollup
    kept = (t.kind, t.link_key, t.rubric_id, t.rubric_version, t.key, t.value)
    summed = (
        select(
            (t.kind + MONTHLY).label("kind"),
            *kept[1:],
            literal(month, Date).label("day"),
            func.sum(t.n),
            func.sum(t.total),
        )
        .where(t.kind.in_(KINDS), t.day >= day, t.day < following)
        .group_by(*kept)
    )
    columns = ["kind", "link_key", "rubric_id", "rubric_version", "key", "value", "day"]
    session.execute(insert(t).from_select([*columns, "n", "total"], summed))
