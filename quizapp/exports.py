"""CSV and JSON writers over explicit column lists, streamed row by row and safe in spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from flask import Response, stream_with_context

from .cohort import CohortReport

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


def _figure(cell, digits: int = 1) -> object:
    if cell.hidden:
        return "hidden (fewer than minimum)"
    return round(cell.value, digits) if isinstance(cell.value, float) else cell.value


def cohort_rows(report: CohortReport) -> Iterator[list[object]]:
    """The group summary a counselor downloads, under the same small-group rule as the page."""
    yield ["section", "item", "figure", "value"]
    yield ["group", "responses", "count", report.count]
    yield ["group", "minimum group size", "count", report.minimum]
    if report.suppressed:
        return
    for band in report.bands:
        yield ["band", band.label, "people", _figure(band.count)]
    for row in report.dimensions:
        name = row.dimension.name
        yield ["dimension", name, "group mean", _figure(row.mean)]
        yield ["dimension", name, "group standard deviation", _figure(row.sd)]
        everyone = None if row.everyone is None else round(row.everyone, 1)
        yield ["dimension", name, "everyone's mean", everyone]
        yield ["dimension", name, "people with this as a gap", _figure(row.below)]
