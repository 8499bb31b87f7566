"""XLSX: a workbook of one sheet per table; the results come with the codebook as a second sheet."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

from sqlalchemy.orm import Session

from ..stats import Filters, result_count
from .registry import FLUSH, Format, register
from .tables import Table

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_ROWS = 1_048_575  # a worksheet's rows, less the header


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


def too_many_rows(session: Session, filters: Filters) -> str | None:
    if result_count(session, filters) > XLSX_MAX_ROWS:
        return f"More than {XLSX_MAX_ROWS:,} results do not fit one sheet: use CSV, or filter."
    return None


XLSX = register(
    Format(
        name="xlsx",
        label="XLSX",
        extension="xlsx",
        content_type=XLSX_TYPE,
        write=write_xlsx,
        exports={"results": ("results", "codebook")},
        refuse=too_many_rows,
    )
)
