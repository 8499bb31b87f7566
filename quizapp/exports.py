"""CSV and JSON writers over explicit column lists, streamed row by row and safe in spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from itertools import chain

from flask import Response, stream_with_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from .assessment.rubric import Rubric
from .cohort import CohortReport
from .models import QuizLink, Result, ResultScore
from .stats import Filters

# A cell starting with one of these could be read as a formula by a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would take for a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """Yield RFC 4180 CSV text (CRLF line ends, quotes doubled), one row at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def json_lines(header: list[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """Yield a JSON array of objects keyed by the header, one object at a time."""
    yield "["
    for n, row in enumerate(rows):
        yield ("," if n else "") + "\n" + json.dumps(dict(zip(header, row, strict=True)))
    yield "\n]\n"


def download(chunks: Iterator[str], filename: str, mimetype: str) -> Response:
    """A streamed download whose file name the server chooses."""
    response = Response(stream_with_context(chunks), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def csv_download(rows: Iterable[Iterable[object]], filename: str) -> Response:
    return download(csv_lines(rows), filename, "text/csv; charset=utf-8")


def cohort_rows(report: CohortReport) -> Iterator[list[object]]:
    """The group summary a counselor downloads, under the same small-group rule as the page."""
    yield ["section", "item", "figure", "value"]
    yield ["group", "responses", "count", report.responses]
    yield ["group", "responses the figures cover", "count", report.size]
    yield ["group", "minimum group size", "count", report.minimum]
    if report.suppressed:
        return
    yield ["group", "figures update at", "count", report.next_update or "never: budget used up"]
    if report.bands is None:
        yield ["band", "all bands", "people", "withheld: they would single people out"]
    for band in report.bands or ():
        yield ["band", band.label, "people", band.count.text]
    for row in report.dimensions:
        name = row.dimension.name
        yield ["dimension", name, "group mean", row.mean.text]
        yield ["dimension", name, "typical distance from the group mean", row.spread.text]
        yield ["dimension", name, "everyone's mean", row.everyone]
        yield ["dimension", name, "people with this as a gap", row.gaps.text]


# --- Admin exports: result rows and dashboard summaries, over explicit columns ---------------

CHUNK = 2000


def result_header(rubric: Rubric) -> list[str]:
    """The columns of the results export, in order. Never the result token."""
    header = ["completed_on", "rubric_id", "rubric_version", "link_label", "band", "overall"]
    header += [f"dimension:{d.id}" for d in rubric.dimensions]
    header += [f"answer:{i.id}" for i in rubric.items]
    header += [f"answer:{s.id}" for s in rubric.scenarios]
    return header


def result_rows(session: Session, rubric: Rubric, filters: Filters) -> Iterator[list[object]]:
    """Yield one row per result, oldest first, streaming the database a chunk at a time.

    One query streams the results (a server-side cursor on PostgreSQL); each chunk's dimension
    scores come from one range read on the scores table's primary key.
    """
    questions = [i.id for i in rubric.items] + [s.id for s in rubric.scenarios]
    dims = [d.id for d in rubric.dimensions]
    query = filters.apply(
        select(
            Result.id,
            Result.completed_on,
            Result.rubric_id,
            Result.rubric_version,
            QuizLink.label,
            Result.band,
            Result.overall,
            Result.answers,
        ).outerjoin(QuizLink, QuizLink.id == Result.link_id)
    ).order_by(Result.id)
    stream = session.execute(query, execution_options={"yield_per": CHUNK})
    for chunk in stream.partitions():
        scores: dict[int, dict[str, float | None]] = {}
        in_range = ResultScore.result_id.between(chunk[0][0], chunk[-1][0])
        score_query = select(ResultScore.result_id, ResultScore.dimension_id, ResultScore.score)
        for result_id, dim_id, value in session.execute(score_query.where(in_range)):
            scores.setdefault(result_id, {})[dim_id] = value
        for rid, day, rubric_id, version, label, band, overall, answers in chunk:
            mine = scores.get(rid, {})
            yield [
                day.isoformat(),
                rubric_id,
                version,
                label or "",
                band or "",
                overall,
                *(mine.get(d) for d in dims),
                *(answers.get(q) for q in questions),
            ]


SUMMARY_HEADER = ["section", "key", "label", "metric", "value"]


def summary_rows(session: Session, rubric: Rubric, filters: Filters) -> Iterator[list[object]]:
    """The dashboard's aggregates as rows: totals, bands, dimensions, links, counselors, weeks."""
    from .dashboard import build_dashboard

    board = build_dashboard(session, rubric, filters)
    yield ["total", "results", "Results", "count", board.total]
    yield ["total", "overall", "Overall score", "mean", _round(board.mean_overall)]
    for band in board.bands:
        yield ["band", band.label, band.label, "count", band.n]
    for fig in board.dimensions:
        yield ["dimension", fig.dimension.id, fig.dimension.name, "count", fig.n]
        yield ["dimension", fig.dimension.id, fig.dimension.name, "mean", _round(fig.mean)]
        yield ["dimension", fig.dimension.id, fig.dimension.name, "median", _round(fig.median)]
    for link, _counselor, n, mean in board.links:
        yield ["link", link.id, link.label, "count", n]
        yield ["link", link.id, link.label, "mean overall", _round(mean)]
    for name, links, n, mean in board.counselors:
        yield ["counselor", name, name, "links", links]
        yield ["counselor", name, name, "count", n]
        yield ["counselor", name, name, "mean overall", _round(mean)]
    for week, n in board.weeks:
        yield ["week", week.isoformat(), f"Week of {week.isoformat()}", "count", n]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


# name, format -> (header maker, row maker); the formats themselves are in FORMATS.
EXPORTS = {
    (name, fmt): makers
    for name, makers in {
        "results": (result_header, result_rows),
        "summary": (lambda rubric: SUMMARY_HEADER, summary_rows),
    }.items()
    for fmt in ("csv", "json")
}

FORMATS = {
    "csv": (lambda header, rows: csv_lines(chain([header], rows)), "text/csv; charset=utf-8"),
    "json": (json_lines, "application/json"),
}


def export_chunks(session, name: str, fmt: str, filters: Filters, rubric: Rubric, on_row=None):
    """Return the text chunks of an export, produced lazily; ``on_row`` is called per row."""
    make_header, make_rows = EXPORTS[(name, fmt)]
    writer, _ = FORMATS[fmt]
    rows = make_rows(session, rubric, filters)
    if on_row is not None:
        rows = _counted(rows, on_row)
    return writer(make_header(rubric), rows)


def _counted(rows, on_row):
    for row in rows:
        on_row()
        yield row


def export_filename(name: str, fmt: str, rubric: Rubric, filters: Filters) -> str:
    parts = ["quizapp", rubric.id, name]
    if filters.since or filters.until:
        parts.append(f"{filters.since or 'start'}-to-{filters.until or 'now'}")
    if filters.link_id is not None:
        parts.append(f"link-{filters.link_id}")
    return "_".join(str(p) for p in parts) + f".{fmt}"


def export_response(session: Session, name: str, fmt: str, filters: Filters, rubric: Rubric):
    chunks = export_chunks(session, name, fmt, filters, rubric)
    return download(chunks, export_filename(name, fmt, rubric, filters), FORMATS[fmt][1])
