"""JSON: an array of objects keyed by the header (never a BOM: JSON must not have one)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from sqlalchemy.orm import Session

from .registry import FLUSH, Format, register
from .tables import Table


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


JSON = register(
    Format(
        name="json",
        label="JSON",
        extension="json",
        content_type="application/json",
        write=write_json,
    )
)
