"""The export formats. A format is one module that turns the shared tables into bytes, and one
``register`` call; the admin page, its download route and ``export_chunks`` (which ``flask
export`` runs) read ``FORMATS``, and so do ``flask export``'s ``--format`` choices. A new
format's module is imported once in the package's ``__init__.py`` (that order is the order of
the admin page's links).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ..stats import Filters
from .tables import ABOUT_PEOPLE, TABLES, Table

FLUSH = 1 << 16  # bytes a writer gathers before it hands a chunk on

# A writer: (session, [(table name, table), ...], bom) -> the file's bytes, a chunk at a time.
# The session is the export's own; a writer may use it (CSV does, for PostgreSQL's COPY).
Writer = Callable[[Session, list[tuple[str, Table]], bool], Iterator[bytes]]

# Why an export cannot be made in a format (too many rows, say), or None: (session, filters).
Refusal = Callable[[Session, Filters], str | None]


def one_table_each() -> dict[str, tuple[str, ...]]:
    """Each export as its own table: what a format writes unless it says otherwise."""
    return {name: (name,) for name in TABLES}


@dataclass(frozen=True)
class Format:
    """One file format the exports come in."""

    name: str  # in the address (/admin/export/results.<name>) and in `flask export --format`
    label: str  # on the admin page: "Results (<label>)"
    extension: str  # a download's file name ends ".<extension>"
    content_type: str
    write: Writer
    # Export name -> the tables written, in order: XLSX puts the codebook beside the results.
    exports: Mapping[str, tuple[str, ...]] = field(default_factory=one_table_each)
    # A variant that starts with a UTF-8 byte-order mark (?bom=1, `flask export --bom`), which
    # Excel needs to read UTF-8: its label, and the exports the admin page lists it for.
    bom_label: str | None = None
    bom_listed: tuple[str, ...] = ()
    refuse: Refusal | None = None  # checked after the small-group rule


FORMATS: dict[str, Format] = {}  # by name, in the order the admin page lists them


def register(fmt: Format) -> Format:
    """Make a format available everywhere exports are offered."""
    if not re.fullmatch(r"[a-z][a-z0-9-]*", fmt.name):
        raise ValueError(f"format name {fmt.name!r}: lowercase letters, digits and hyphens only")
    for other in FORMATS.values():
        if fmt.name == other.name or fmt.extension == other.extension:
            raise ValueError(f"format {fmt.name!r} (.{fmt.extension}) clashes with {other.name!r}")
    named = fmt.exports.keys() | {t for tables in fmt.exports.values() for t in tables}
    if unknown := named - TABLES.keys():
        raise ValueError(f"format {fmt.name!r} names unknown tables: {sorted(unknown)}")
    if extra := set(fmt.bom_listed) - fmt.exports.keys():
        raise ValueError(f"format {fmt.name!r} lists a BOM variant of exports it lacks: {extra}")
    FORMATS[fmt.name] = fmt
    return fmt


class Exports(Mapping[tuple[str, str], tuple[str, ...]]):
    """(export name, format name) -> the tables it writes, for every registered format."""

    def __getitem__(self, key: tuple[str, str]) -> tuple[str, ...]:
        try:
            name, fmt = key
            return FORMATS[fmt].exports[name]
        except (KeyError, TypeError, ValueError):
            raise KeyError(key) from None

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(
            [(name, f.name) for name in TABLES for f in FORMATS.values() if name in f.exports]
        )

    def __len__(self) -> int:
        return sum(len(f.exports) for f in FORMATS.values())


EXPORTS = Exports()


@dataclass(frozen=True)
class Download:
    """One link of the admin page's export list."""

    name: str  # the export: results, summary or codebook
    fmt: str
    label: str  # "Results with codebook (XLSX)"
    bom: bool = False


def downloads(about_people: bool = True) -> list[Download]:
    """Every export in every format that has it, in the admin page's order (export, then format).

    ``about_people=False`` lists only the exports that hold nothing about people (the codebook),
    the ones still open when the selection is too small.
    """
    out = []
    for name in TABLES:
        for fmt in FORMATS.values():
            tables = fmt.exports.get(name)
            if tables is None or (not about_people and ABOUT_PEOPLE.intersection(tables)):
                continue
            title = name.capitalize()
            if len(tables) > 1:
                title += " with " + " and ".join(tables[1:])
            out.append(Download(name, fmt.name, f"{title} ({fmt.label})"))
            if fmt.bom_label and name in fmt.bom_listed:
                out.append(Download(name, fmt.name, f"{title} ({fmt.bom_label})", bom=True))
    return out
