"""Exports over explicit columns: result rows, summaries and the codebook, in registered formats.

- ``columns``: the one list of columns and how each value is coded and rounded;
- ``tables``: the results, summary and codebook tables, shaped by the database a chunk at a time;
- ``registry``: ``Format`` and ``register``; the admin page and its download route offer what
  ``FORMATS`` holds, and ``export_chunks`` (which ``flask export`` runs) writes any of them;
- one module per format (``csv``, ``xlsx``, ``json``), each turning the tables into bytes.

Results and summaries follow the dashboard's small-group rules (quizapp/reporting/dashboard.py):
filters that select fewer than k results are refused, whatever the format.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from flask import Response, current_app, stream_with_context
from sqlalchemy.orm import Session

from ...assessment.rubric import Rubric
from ..dashboard import EXPORTED, selection_refusal
from ..stats import Filters

# isort: off
# Each format registers itself when imported: this order is the admin page's.
from . import csv, xlsx, json  # noqa: F401
# isort: on

from .columns import (
    CODEBOOK_HEADER,
    LEAD_COLUMNS,
    NOT_SURE_CODE,
    codebook_rows,
    neutralise,
    questions,
    result_header,
    rounded,
)
from .csv import CSV_TYPE, csv_lines
from .registry import EXPORTS, FORMATS, Download, Format, downloads, register
from .tables import (
    ABOUT_PEOPLE,
    SUMMARY_HEADER,
    TABLES,
    Table,
    cohort_rows,
    named_link_ids,
    result_query,
    sql_text,
)

CHUNK = 5000  # rows fetched from the database at a time (tables.fetch reads it here)

__all__ = [
    "ABOUT_PEOPLE",
    "CHUNK",
    "CODEBOOK_HEADER",
    "CSV_TYPE",
    "EXPORTS",
    "FORMATS",
    "LEAD_COLUMNS",
    "NOT_SURE_CODE",
    "SUMMARY_HEADER",
    "TABLES",
    "Download",
    "ExportRefused",
    "Format",
    "Table",
    "codebook_rows",
    "cohort_rows",
    "csv_download",
    "csv_lines",
    "download",
    "downloads",
    "export_chunks",
    "export_filename",
    "export_response",
    "formats_for",
    "named_link_ids",
    "neutralise",
    "questions",
    "register",
    "result_header",
    "result_query",
    "rounded",
    "rows_in",
    "sql_text",
]


class ExportRefused(Exception):
    """An export that would say too much, or not fit its format."""


def formats_for(name: str) -> tuple[str, ...]:
    """The names of the formats an export comes in, in registration order."""
    return tuple(f.name for f in FORMATS.values() if name in f.exports)


def export_chunks(
    session: Session, name: str, fmt: str, filters: Filters, rubric: Rubric, bom: bool = False
) -> Iterator[bytes]:
    """Check the export may be made, then return its bytes, produced lazily."""
    minimum = int(current_app.config["COHORT_MIN_SIZE"])
    form = FORMATS[fmt]
    names = EXPORTS[(name, fmt)]
    reason = None
    if ABOUT_PEOPLE.intersection(names):
        reason = selection_refusal(session, filters, minimum, EXPORTED)
    if reason is None and form.refuse is not None:
        reason = form.refuse(session, filters)
    if reason:
        raise ExportRefused(reason)
    tables = [(n, TABLES[n](session, rubric, filters, minimum)) for n in names]
    return form.write(session, tables, bom and form.bom_label is not None)


def export_filename(name: str, fmt: str, rubric: Rubric, filters: Filters) -> str:
    parts = ["quizapp", rubric.id, name]
    if filters.since or filters.until:
        parts.append(f"{filters.since or 'start'}-to-{filters.until or 'now'}")
    if filters.link_id is not None:
        parts.append(f"link-{filters.link_id}")
    return "_".join(str(p) for p in parts) + f".{FORMATS[fmt].extension}"


def download(chunks: Iterator[str | bytes], filename: str, content_type: str) -> Response:
    """A streamed download whose file name the server chooses."""
    # content_type, not mimetype: Flask would add a second charset to a text/* mimetype.
    response = Response(stream_with_context(chunks), content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def export_response(
    session: Session, name: str, fmt: str, filters: Filters, rubric: Rubric, bom: bool = False
) -> Response:
    chunks = export_chunks(session, name, fmt, filters, rubric, bom)
    filename = export_filename(name, fmt, rubric, filters)
    return download(chunks, filename, FORMATS[fmt].content_type)


def csv_download(rows: Iterable[Iterable[object]], filename: str) -> Response:
    return download(csv_lines(rows), filename, CSV_TYPE)


def rows_in(chunk: bytes) -> int:
    """How many CSV lines a chunk ends (for progress bars)."""
    return chunk.count(b"\n")
