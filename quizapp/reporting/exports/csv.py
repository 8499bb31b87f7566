"""CSV: RFC 4180 (CRLF line ends, quotes doubled), UTF-8; "CSV for Excel" starts with a BOM.

On PostgreSQL the result rows come straight from ``COPY (SELECT ...) TO STDOUT``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from sqlalchemy.orm import Session

from .columns import neutralise
from .registry import FLUSH, Format, register
from .tables import Table

CSV_TYPE = "text/csv; charset=utf-8"
BOM = b"\xef\xbb\xbf"  # lets Excel read the CSV as UTF-8


def csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """Yield RFC 4180 CSV text (CRLF line ends, quotes doubled), one row at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def write_csv(session: Session, tables: list[tuple[str, Table]], bom: bool) -> Iterator[bytes]:
    """RFC 4180 CSV (CRLF line ends); on PostgreSQL the rows come from COPY."""
    _, table = tables[0]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.header)
    yield (BOM if bom else b"") + buffer.getvalue().encode()
    if table.copy_sql is not None:
        yield from copy_csv(session, table.copy_sql)
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


def copy_csv(session: Session, sql: str) -> Iterator[bytes]:
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


CSV = register(
    Format(
        name="csv",
        label="CSV",
        extension="csv",
        content_type=CSV_TYPE,
        write=write_csv,
        bom_label="CSV for Excel",
        bom_listed=("results",),
    )
)
