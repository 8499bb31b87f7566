"""The tables every format writes: result rows, the summary and the codebook, a chunk at a time.

Result rows are shaped by the database (answer codes, rounding, band labels, links of fewer than
k results left unnamed) and come as plain tuples, a chunk at a time; on PostgreSQL a table also
carries the SQL from which ``COPY ... TO STDOUT`` writes the CSV itself. The summary follows the
dashboard's small-group rules (quizapp/reporting/dashboard.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    Integer,
    Select,
    String,
    Text,
    and_,
    case,
    cast,
    column,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session, aliased

from ...assessment.rubric import Rubric
from ...storage.models import QuizLink, Result, ResultScore, User
from ..cohort import CohortReport
from ..dashboard import build_dashboard
from ..stats import Filters, band_counts
from .columns import (
    CODEBOOK_HEADER,
    NO_BAND,
    NOT_SURE_CODE,
    answer_codes,
    answer_sql,
    codebook_rows,
    neutralise,
    questions,
    result_header,
    rounded,
    rounded_sql,
    safe_text_sql,
)


@dataclass
class Table:
    """An export's columns and rows; ``copy_sql`` when the database can write the CSV itself."""

    header: list[str]
    chunks: Callable[[], Iterator[Sequence[Sequence[object]]]]
    copy_sql: str | None = None


def small_table(header: list[str], rows: Iterable[Sequence[object]]) -> Table:
    return Table(header, lambda: iter([[[neutralise(v) for v in row] for row in rows]]))


# --- The codebook: every column of the results export, questions numbered as on the quiz -----


def codebook_table(session: Session, rubric: Rubric, filters: Filters, minimum: int) -> Table:
    return small_table(CODEBOOK_HEADER, list(codebook_rows(rubric, minimum)))


# --- Result rows, shaped in SQL -------------------------------------------------------------


def named_link_ids(session: Session, minimum: int) -> list[int]:
    """Links with at least ``minimum`` stored results, whatever the filters: only these are named."""
    query = (
        select(Result.link_id)
        .where(Result.link_id.is_not(None))
        .group_by(Result.link_id)
        .having(func.count() >= minimum)
    )
    return list(session.scalars(query))


def result_query(
    rubric: Rubric,
    filters: Filters,
    named: list[int],
    dialect: str,
    exact_text: bool = False,
    raw_answers: bool = False,
) -> Select:
    """The results export as one SELECT whose columns are exactly ``result_header``.

    With ``raw_answers`` the answers come as one column of stored JSON, for ``answer_codes``.
    """
    asked = questions(rubric)
    record = None
    if dialect == "postgresql" and not raw_answers:  # parse the answers once per row
        record = (
            func.json_to_record(Result.answers)
            .table_valued(*(column(q.id, Text if q.kind == "scenario" else Integer) for q in asked))
            .render_derived(name="answer", with_types=True)
        )
    day = (
        func.to_char(Result.completed_on, "YYYY-MM-DD")
        if dialect == "postgresql"
        else cast(Result.completed_on, String)
    )
    version = Result.rubric_version  # every row's is the rubric's: make it safe if it needs to be
    if neutralise(rubric.version) != rubric.version:
        version = safe_text_sql(version, dialect)
    # Named links with their text made safe once, not once per row.
    link = (
        select(
            QuizLink.id.label("id"),
            safe_text_sql(QuizLink.label, dialect).label("label"),
            safe_text_sql(User.username, dialect).label("counselor"),
        )
        .join(User, User.id == QuizLink.owner_id)
        .where(QuizLink.id.in_(named))
        .cte("named_link")
        .prefix_with("MATERIALIZED")
    )
    band_label = case({b.id: neutralise(b.label) for b in rubric.bands}, value=Result.band)
    scores = [aliased(ResultScore, name=f"score_{n}") for n in range(len(rubric.dimensions))]
    if raw_answers:  # one JSON array of every answer in column order, Not sure already 0
        stored = cast(Result.answers, Text)
        for null in (": null", ":null"):
            stored = func.replace(stored, null, f": {NOT_SURE_CODE}")
        answers = [func.json_extract(stored, *(f'$."{q.id}"' for q in asked))]
    else:
        answers = [answer_sql(q, dialect, record) for q in asked]
    query = select(
        Result.id,
        day,
        Result.rubric_id,  # an id: lowercase letters, digits and hyphens
        version,
        link.c.id,
        link.c.label,
        link.c.counselor,
        Result.band,
        band_label,
        rounded_sql(Result.overall, dialect, exact_text),
        *(rounded_sql(s.score, dialect, exact_text) for s in scores),
        *answers,
    ).select_from(Result)
    query = query.outerjoin(link, link.c.id == Result.link_id)
    for score, dim in zip(scores, rubric.dimensions, strict=True):
        on = and_(score.result_id == Result.id, score.dimension_id == dim.id)
        query = query.outerjoin(score, on)
    if record is not None:
        query = query.join(record, literal(True))
    return filters.apply(query).order_by(Result.id)


def sql_text(query: Select, session_or_dialect) -> str:
    """A query as plain SQL with its values written in (all are numbers or rubric text)."""
    dialect = getattr(session_or_dialect, "get_bind", None)
    dialect = dialect().dialect if dialect else session_or_dialect
    return str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def fetch(session: Session, query: Select) -> Iterator[Sequence[Sequence[object]]]:
    """The rows of a query a chunk at a time, as plain tuples where the driver allows."""
    chunk = sys.modules[__package__].CHUNK  # the package's (__init__.py), read on each export
    if session.get_bind().dialect.name == "sqlite":  # the driver's tuples, no Row objects
        cursor = session.connection().connection.dbapi_connection.cursor()
        try:
            cursor.execute(sql_text(query, session))
            while rows := cursor.fetchmany(chunk):
                yield rows
        finally:
            cursor.close()
        return
    result = session.execute(query, execution_options={"yield_per": chunk})
    yield from result.partitions()  # a server-side cursor on PostgreSQL


def results_table(session: Session, rubric: Rubric, filters: Filters, minimum: int) -> Table:
    dialect = session.get_bind().dialect
    named = named_link_ids(session, minimum)
    header = result_header(rubric)
    if dialect.name == "postgresql":
        query = result_query(rubric, filters, named, dialect.name)
        exact = result_query(rubric, filters, named, dialect.name, exact_text=True)
        return Table(header, lambda: fetch(session, query), sql_text(exact, dialect))
    query = result_query(rubric, filters, named, dialect.name, raw_answers=True)
    codes = answer_codes(rubric)
    return Table(header, lambda: ([codes(r) for r in rows] for rows in fetch(session, query)))


# --- The summary: the dashboard's aggregates and each question's answers ---------------------

SUMMARY_HEADER = ["section", "key", "label", "metric", "code", "value"]


def summary_rows(
    session: Session, rubric: Rubric, filters: Filters, minimum: int
) -> Iterator[list[object]]:
    """The dashboard's figures: totals, bands, dimensions, answers, links, counselors and weeks.

    Under the dashboard's rules: a figure it withholds is a "withheld" row with no value.
    """
    board = build_dashboard(session, rubric, filters, minimum)
    yield ["total", "results", "Results", "count", None, board.total]
    yield ["total", "overall", "Overall score", "mean", None, rounded(board.mean_overall)]
    bands = band_counts(session, filters)
    for band in rubric.bands:
        yield ["band", band.id, band.label, "count", None, bands.get(band.id, 0)]
    yield ["band", None, NO_BAND, "count", None, bands.get(None, 0)]
    fewer = f"fewer than {minimum}"
    for fig in board.dimensions:
        dim = fig.dimension
        if not fig.shown:
            yield ["dimension", dim.id, f"{dim.name}: {fewer} scored", "withheld", None, None]
            continue
        yield ["dimension", dim.id, dim.name, "count", None, fig.n]
        yield ["dimension", dim.id, dim.name, "mean", None, rounded(fig.mean)]
        yield ["dimension", dim.id, dim.name, "median", None, rounded(fig.median)]
    figures = {q.id: q for q in board.questions}
    for q in questions(rubric):
        if q.kind == "check":
            continue  # attention checks are not counted in the running totals
        shown = figures[q.id].counts
        if not shown:
            yield ["answer", q.id, f"{fewer} answers", "withheld", None, None]
            continue
        # The dashboard lists a statement's Not sure last; the summary goes by code.
        by_code = dict(zip([code for code, _ in q.codes], shown, strict=True))
        for code, label in sorted(q.codes):
            yield ["answer", q.id, label, "count", code, by_code[code].n]
    yield from _link_rows(board)
    for period in board.weeks:
        first, last = period.first.isoformat(), period.last.isoformat()
        label = f"Week of {first}" if first == last else f"Weeks of {first} to {last}"
        yield ["week", first, label, "count", None, period.n]


def _link_rows(board) -> Iterator[list[object]]:
    """Links with rows of their own on the dashboard, the others together, and counselors."""
    for row in board.links:
        key = row.link.id if row.link else None
        yield ["link", key, row.label, "count", None, row.n]
        yield ["link", key, row.label, "mean overall", None, rounded(row.mean)]
    for row in board.counselors:
        yield ["counselor", row.name, row.name, "links", None, row.links]
        yield ["counselor", row.name, row.name, "count", None, row.n]
        yield ["counselor", row.name, row.name, "mean overall", None, rounded(row.mean)]


def summary_table(session: Session, rubric: Rubric, filters: Filters, minimum: int) -> Table:
    return small_table(SUMMARY_HEADER, summary_rows(session, rubric, filters, minimum))


# Every table by name, in the order the admin page lists the exports; formats choose among them.
TABLES = {"results": results_table, "summary": summary_table, "codebook": codebook_table}

# Tables about people: refused for a selection of fewer than k results (the codebook is not).
ABOUT_PEOPLE = {"results", "summary"}


# --- The counselor's group summary (one link's page, as CSV) ---------------------------------


def cohort_rows(report: CohortReport) -> Iterator[list[object]]:
    """The group summary a counselor downloads, under the same small-group rule as the page."""
    yield ["section", "item", "figure", "value"]
    yield ["group", "responses", "count", report.responses]
    yield ["group", "responses the figures cover", "count", report.size]
    yield ["group", "minimum group size", "count", report.minimum]
    if report.suppressed:
        return
    yield ["group", "figures update at", "count", report.next_update or "never: these are final"]
    yield ["group", "means within, 9 times in 10", "points", f"\u00b1{report.margin}"]
    if report.bands is None and report.size < report.band_table_from:
        yield ["band", "all bands", "people", f"shown from {report.band_table_from} responses"]
    elif report.bands is None:
        yield ["band", "all bands", "people", "withheld: they would single people out"]
    for band in report.bands or ():
        yield ["band", band.label, "people", band.count.text]
    for row in report.dimensions:
        name = row.dimension.name
        yield ["dimension", name, "group mean", row.mean.text]
        yield ["dimension", name, "everyone's mean", row.everyone]
