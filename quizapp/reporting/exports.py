"""Exports over explicit columns: result rows, summaries and the codebook as CSV, JSON or XLSX.

Result rows are shaped by the database (answer codes, rounding, band labels, links of fewer than
k results left unnamed) and written from plain tuples, a chunk at a time; on PostgreSQL the CSV
comes straight from ``COPY (SELECT ...) TO STDOUT``. Every format and the CLI share this code.
Results and summaries follow the dashboard's small-group rules (quizapp/dashboard.py): filters
that select fewer than k results are refused.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from flask import Response, current_app, stream_with_context
from sqlalchemy import (
    Integer,
    Numeric,
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

from ..assessment.rubric import Rubric
from ..assessment.scoring import round_half_up
from ..storage.models import QuizLink, Result, ResultScore, User
from .cohort import CohortReport
from .dashboard import EXPORTED, build_dashboard, selection_refusal
from .stats import Filters, band_counts, result_count

# A cell starting with one of these could be read as a formula by a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

CSV_TYPE = "text/csv; charset=utf-8"
BOM = b"\xef\xbb\xbf"  # lets Excel read the CSV as UTF-8
NOT_SURE_CODE = 0
DECIMALS = 1  # every score in every export: one decimal, rounded half up
NO_BAND = "No band (too few answers, or answers too inconsistent)"
CHUNK = 5000  # rows fetched from the database at a time
FLUSH = 1 << 16  # bytes gathered before a chunk is handed on
XLSX_MAX_ROWS = 1_048_575  # a worksheet's rows, less the header


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would take for a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and value not in ("+", "-"):
        return "'" + value  # a lone + or - (a keying) is no formula
    return value


def rounded(value: float | None) -> float | None:
    """The one rounding rule of every export (the one that rounds stored overall scores)."""
    return None if value is None else round_half_up(value, DECIMALS)


def csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """Yield RFC 4180 CSV text (CRLF line ends, quotes doubled), one row at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def download(chunks: Iterator[str | bytes], filename: str, content_type: str) -> Response:
    """A streamed download whose file name the server chooses."""
    # content_type, not mimetype: Flask would add a second charset to a text/* mimetype.
    response = Response(stream_with_context(chunks), content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def csv_download(rows: Iterable[Iterable[object]], filename: str) -> Response:
    return download(csv_lines(rows), filename, CSV_TYPE)


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


# --- Tables: a header and its rows, a chunk at a time --------------------------------------


@dataclass
class Table:
    """An export's columns and rows; ``copy_sql`` when the database can write the CSV itself."""

    header: list[str]
    chunks: Callable[[], Iterator[Sequence[Sequence[object]]]]
    copy_sql: str | None = None


def small_table(header: list[str], rows: Iterable[Sequence[object]]) -> Table:
    return Table(header, lambda: iter([[[neutralise(v) for v in row] for row in rows]]))


# --- The codebook: every column of the results export, questions numbered as on the quiz -----


@dataclass(frozen=True)
class Question:
    id: str
    number: int  # as on the quiz page
    kind: str  # "item", "check" or "scenario"
    section: str
    text: str
    dimension_id: str | None
    keying: str | None  # "+" or "-"
    codes: tuple[tuple[int, str], ...]
    options: tuple[str, ...] = ()  # a scenario's option ids, coded from 1 in this order


def questions(rubric: Rubric) -> list[Question]:
    """Every question in quiz-page order: each section's statements, then the scenarios."""
    scale = tuple((p.value, p.label) for p in rubric.scale)
    scale = (*scale, (NOT_SURE_CODE, rubric.not_sure_label))
    items = {i.id: (i, d.id) for d in rubric.dimensions for i in d.items}
    checks = {c.id: c for c in rubric.checks}
    out = []
    for section in rubric.sections:
        for qid in section.items:
            number = len(out) + 1
            if qid in items:
                item, dim_id = items[qid]
                keying = "+" if item.keyed == "plus" else "-"
                out.append(
                    Question(qid, number, "item", section.title, item.text, dim_id, keying, scale)
                )
            else:
                text = checks[qid].text
                out.append(Question(qid, number, "check", section.title, text, None, None, scale))
    for scenario in rubric.scenarios:
        codes = tuple((n, f"{o.id}: {o.text}") for n, o in enumerate(scenario.options, 1))
        ids = tuple(o.id for o in scenario.options)
        number = len(out) + 1
        text = scenario.prompt
        out.append(
            Question(scenario.id, number, "scenario", "Scenarios", text, None, None, codes, ids)
        )
    return out


LEAD_COLUMNS = [
    "result_id",
    "completed_on",
    "rubric_id",
    "rubric_version",
    "link_id",
    "link_label",
    "counselor",
    "band_id",
    "band_label",
    "overall",
]
SCORE_TEXT = "0 to 100, one decimal, rounded half up; empty when"
CODEBOOK_HEADER = [
    "column",
    "kind",
    "question_number",
    "question_id",
    "section",
    "text",
    "dimension_id",
    "keying",
    "codes",
    "not_sure_code",
]


def result_header(rubric: Rubric) -> list[str]:
    """The columns of the results export, in order. Never the result token."""
    header = list(LEAD_COLUMNS)
    header += [f"dimension:{d.id}" for d in rubric.dimensions]
    header += [f"answer:{q.id}" for q in questions(rubric)]
    return header


def _codes(pairs: Iterable[tuple[object, str]]) -> str:
    return " | ".join(f"{code}={label}" for code, label in pairs)


def codebook_rows(rubric: Rubric, minimum: int) -> Iterator[list[object]]:
    """One row per column of the results export, saying what it holds and how it is coded."""
    unnamed = f"empty without a link, or while the link has fewer than {minimum} results"
    bands = _codes((b.id, f"{b.label} ({b.min:g} to {b.max:g})") for b in rubric.bands)
    lead = {
        "result_id": ("id", "Result number (the database's key; never the private result link)"),
        "completed_on": ("date", "Day the quiz was finished, UTC, YYYY-MM-DD; no time is kept"),
        "rubric_id": ("text", "Quiz (rubric) id"),
        "rubric_version": ("text", "Quiz version; an export holds one version"),
        "link_id": ("id", f"Quiz link number; {unnamed}"),
        "link_label": ("text", f"Quiz link label; {unnamed}"),
        "counselor": ("text", f"Username of the link's counselor; {unnamed}"),
        "band_id": ("band", f"Fit band id; empty: {NO_BAND}"),
        "band_label": ("band", "Fit band label, as on the result page; empty when no band"),
        "overall": ("score", f"Overall score, {SCORE_TEXT} there is no overall score"),
    }
    for name, (kind, text) in lead.items():
        yield [
            name,
            kind,
            None,
            None,
            None,
            text,
            None,
            None,
            bands if kind == "band" else None,
            None,
        ]
    for d in rubric.dimensions:
        text = f"Score on {d.name}, {SCORE_TEXT} too few of its statements were answered"
        yield [f"dimension:{d.id}", "score", None, None, None, text, d.id, None, None, None]
    for q in questions(rubric):
        not_sure = None if q.kind == "scenario" else NOT_SURE_CODE
        yield [
            f"answer:{q.id}",
            q.kind,
            q.number,
            q.id,
            q.section,
            q.text,
            q.dimension_id,
            q.keying,
            _codes(q.codes),
            not_sure,
        ]


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


def _safe_text(value, dialect: str):
    """Text as a cell: line breaks become spaces and a formula start gets an apostrophe.

    Control characters are written as char()/chr() calls so the SQL stays on one line.
    """
    char = func.chr if dialect == "postgresql" else func.char
    flat = func.replace(func.replace(value, char(13), " "), char(10), " ")
    starts = [s for s in FORMULA_START if s.isprintable()] + [char(9)]
    return case((func.substr(flat, 1, 1).in_(starts), literal("'") + flat), else_=flat)


def _rounded_sql(value, dialect: str, exact_text: bool):
    """``rounded`` in SQL: floor(x * 10 + 0.5) / 10, the same double arithmetic as Python."""
    if dialect == "postgresql":
        out = func.floor(value * 10 + 0.5).op("/")(literal(10.0))
        return cast(out, Numeric(4, 1)) if exact_text else out  # COPY writes 60 as 60.0 then
    return cast(value * 10 + 0.5, Integer).op("/")(literal(10.0))  # scores are never negative


def _answer_sql(q: Question, dialect: str, record):
    """A stored answer as its code: 1-5 for statements, 0 for Not sure, options from 1."""
    if dialect == "postgresql":
        value = record.c[q.id]
        is_null = func.json_typeof(Result.answers.op("->")(literal(q.id))) == "null"
    else:
        path = f'$."{q.id}"'
        value = func.json_extract(Result.answers, path)
        is_null = func.json_type(Result.answers, path) == "null"
    if q.kind == "scenario":
        return case({option: code for code, option in enumerate(q.options, 1)}, value=value)
    return func.coalesce(value, case((is_null, NOT_SURE_CODE)))  # a missing answer stays empty


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
        version = _safe_text(version, dialect)
    # Named links with their text made safe once, not once per row.
    link = (
        select(
            QuizLink.id.label("id"),
            _safe_text(QuizLink.label, dialect).label("label"),
            _safe_text(User.username, dialect).label("counselor"),
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
        answers = [_answer_sql(q, dialect, record) for q in asked]
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
        _rounded_sql(Result.overall, dialect, exact_text),
        *(_rounded_sql(s.score, dialect, exact_text) for s in scores),
        *answers,
    ).select_from(Result)
    query = query.outerjoin(link, link.c.id == Result.link_id)
    for score, dim in zip(scores, rubric.dimensions, strict=True):
        on = and_(score.result_id == Result.id, score.dimension_id == dim.id)
        query = query.outerjoin(score, on)
    if record is not None:
        query = query.join(record, literal(True))
    return filters.apply(query).order_by(Result.id)


def answer_codes(rubric: Rubric) -> Callable[[Sequence[object]], tuple]:
    """Turn a row ending in a JSON array of answers (``raw_answers``) into one of answer codes.

    The same codes as ``_answer_sql``: on SQLite one json_extract with every path, Not sure
    written as 0 beforehand (a missing answer stays null), then one json.loads of a short array,
    is several times faster than one json_extract per question.
    """
    asked = questions(rubric)
    split = sum(1 for q in asked if q.kind != "scenario")
    scenarios = [{o: n for n, o in enumerate(q.options, 1)} for q in asked if q.options]
    loads = json.loads

    def codes(row: Sequence[object]) -> tuple:
        given = loads(row[-1])
        chosen = [options.get(a) for options, a in zip(scenarios, given[split:], strict=True)]
        return (*row[:-1], *given[:split], *chosen)

    return codes


def sql_text(query: Select, session_or_dialect) -> str:
    """A query as plain SQL with its values written in (all are numbers or rubric text)."""
    dialect = getattr(session_or_dialect, "get_bind", None)
    dialect = dialect().dialect if dialect else session_or_dialect
    return str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def _fetch(session: Session, query: Select) -> Iterator[Sequence[Sequence[object]]]:
    """The rows of a query a chunk at a time, as plain tuples where the driver allows."""
    if session.get_bind().dialect.name == "sqlite":  # the driver's tuples, no Row objects
        cursor = session.connection().connection.dbapi_connection.cursor()
        try:
            cursor.execute(sql_text(query, session))
            while rows := cursor.fetchmany(CHUNK):
                yield rows
        finally:
            cursor.close()
        return
    result = session.execute(query, execution_options={"yield_per": CHUNK})
    yield from result.partitions()  # a server-side cursor on PostgreSQL


def results_table(session: Session, rubric: Rubric, filters: Filters, minimum: int) -> Table:
    dialect = session.get_bind().dialect
    named = named_link_ids(session, minimum)
    header = result_header(rubric)
    if dialect.name == "postgresql":
        query = result_query(rubric, filters, named, dialect.name)
        exact = result_query(rubric, filters, named, dialect.name, exact_text=True)
        return Table(header, lambda: _fetch(session, query), sql_text(exact, dialect))
    query = result_query(rubric, filters, named, dialect.name, raw_answers=True)
    codes = answer_codes(rubric)
    return Table(header, lambda: ([codes(r) for r in rows] for rows in _fetch(session, query)))


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


# --- Formats: each writes tables as bytes, a chunk at a time --------------------------------


def write_csv(session: Session, tables: list[tuple[str, Table]], bom: bool) -> Iterator[bytes]:
    """RFC 4180 CSV (CRLF line ends); on PostgreSQL the rows come from COPY."""
    _, table = tables[0]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.header)
    yield (BOM if bom else b"") + buffer.getvalue().encode()
    if table.copy_sql is not None:
        yield from _copy_csv(session, table.copy_sql)
        return
    buffer.seek(0)
    buffer.truncate()
    for rows in table.chunks():
        writer.writerows(rows)
        if buffer.tell() >= FLUSH:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _copy_csv(session: Session, sql: str) -> Iterator[bytes]:
    """PostgreSQL writes the CSV itself; only its LF line ends become CRLF (text has no breaks)."""
    connection = session.connection().connection.dbapi_connection
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        block = bytearray()
        for data in copy:
            block += data
            if len(block) >= FLUSH:
                yield bytes(block).replace(b"\n", b"\r\n")
                block.clear()
        yield bytes(block).replace(b"\n", b"\r\n")


def write_json(session: Session, tables: list[tuple[str, Table]], bom: bool) -> Iterator[bytes]:
    """A JSON array of objects keyed by the header (no BOM: JSON must not have one)."""
    _, table = tables[0]
    header = table.header
    parts, size, first = ["["], 0, True
    for rows in table.chunks():
        for row in rows:
            text = json.dumps(dict(zip(header, row, strict=True)))
            parts.append(("\n" if first else ",\n") + text)
            size += len(text)
            first = False
        if size >= FLUSH:
            yield "".join(parts).encode()
            parts, size = [], 0
    parts.append("\n]\n")
    yield "".join(parts).encode()


def write_xlsx(session: Session, tables: list[tuple[str, Table]], bom: bool) -> Iterator[bytes]:
    """An XLSX workbook, one sheet per table, built in constant memory in a temporary file."""
    import xlsxwriter

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "export.xlsx")
        options = {
            "constant_memory": True,
            "tmpdir": folder,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        }
        book = xlsxwriter.Workbook(path, options)
        bold = book.add_format({"bold": True})
        for name, table in tables:
            sheet = book.add_worksheet(name)
            sheet.write_row(0, 0, table.header, bold)
            sheet.freeze_panes(1, 0)
            n = 0
            for rows in table.chunks():
                for row in rows:
                    n += 1
                    sheet.write_row(n, 0, row)
        book.close()
        with open(path, "rb") as workbook:
            while block := workbook.read(FLUSH):
                yield block


@dataclass(frozen=True)
class Format:
    write: Callable[..., Iterator[bytes]]
    content_type: str


FORMATS = {
    "csv": Format(write_csv, CSV_TYPE),
    "json": Format(write_json, "application/json"),
    "xlsx": Format(write_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}

# name -> the tables of each format: an XLSX of results carries the codebook as a second sheet.
TABLES = {"results": results_table, "summary": summary_table, "codebook": codebook_table}
EXPORTS = {
    **{(name, fmt): (name,) for name in TABLES for fmt in ("csv", "json")},
    ("results", "xlsx"): ("results", "codebook"),
}


# Tables about people: refused for a selection of fewer than k results (the codebook is not).
ABOUT_PEOPLE = {"results", "summary"}


class ExportRefused(Exception):
    """An export that would say too much, or not fit its format."""


def export_chunks(
    session: Session, name: str, fmt: str, filters: Filters, rubric: Rubric, bom: bool = False
) -> Iterator[bytes]:
    """Check the export may be made, then return its bytes, produced lazily."""
    minimum = int(current_app.config["COHORT_MIN_SIZE"])
    reason = None
    if ABOUT_PEOPLE.intersection(EXPORTS[(name, fmt)]):
        reason = selection_refusal(session, filters, minimum, EXPORTED)
    if reason is None and fmt == "xlsx" and result_count(session, filters) > XLSX_MAX_ROWS:
        reason = f"More than {XLSX_MAX_ROWS:,} results do not fit one sheet: use CSV, or filter."
    if reason:
        raise ExportRefused(reason)
    tables = [(n, TABLES[n](session, rubric, filters, minimum)) for n in EXPORTS[(name, fmt)]]
    return FORMATS[fmt].write(session, tables, bom and fmt == "csv")


def export_filename(name: str, fmt: str, rubric: Rubric, filters: Filters) -> str:
    parts = ["quizapp", rubric.id, name]
    if filters.since or filters.until:
        parts.append(f"{filters.since or 'start'}-to-{filters.until or 'now'}")
    if filters.link_id is not None:
        parts.append(f"link-{filters.link_id}")
    return "_".join(str(p) for p in parts) + f".{fmt}"


def export_response(
    session: Session, name: str, fmt: str, filters: Filters, rubric: Rubric, bom: bool = False
) -> Response:
    chunks = export_chunks(session, name, fmt, filters, rubric, bom)
    filename = export_filename(name, fmt, rubric, filters)
    return download(chunks, filename, FORMATS[fmt].content_type)


def rows_in(chunk: bytes) -> int:
    """How many CSV lines a chunk ends (for progress bars)."""
    return chunk.count(b"\n")
