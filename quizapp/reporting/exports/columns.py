"""The one list of columns: what the results export holds, in order, and how each value is written.

Every coding rule is here once, in Python and, where the database shapes the rows, in SQL beside
it: answer codes (1-5, 0 for Not sure, scenario options from 1), one rounding rule for scores,
band labels, and text made safe for spreadsheets. The codebook says the same, one row per column.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Integer, Numeric, case, cast, func, literal

from ...assessment.rubric import Rubric
from ...assessment.scoring import round_half_up
from ...storage.models import Result

# A cell starting with one of these could be read as a formula by a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

NOT_SURE_CODE = 0
DECIMALS = 1  # every score in every export: one decimal, rounded half up
NO_BAND = "No band (too few answers, or answers too inconsistent)"


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would take for a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and value not in ("+", "-"):
        return "'" + value  # a lone + or - (a keying) is no formula
    return value


def rounded(value: float | None) -> float | None:
    """The one rounding rule of every export (the one that rounds stored overall scores)."""
    return None if value is None else round_half_up(value, DECIMALS)


# --- The questions, numbered as on the quiz ---------------------------------------------------


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


# --- The columns of the results export, and the codebook that explains them ------------------


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


# --- The same rules in SQL, for result rows the database shapes ------------------------------


def safe_text_sql(value, dialect: str):
    """Text as a cell: line breaks become spaces and a formula start gets an apostrophe.

    Control characters are written as char()/chr() calls so the SQL stays on one line.
    """
    char = func.chr if dialect == "postgresql" else func.char
    flat = func.replace(func.replace(value, char(13), " "), char(10), " ")
    starts = [s for s in FORMULA_START if s.isprintable()] + [char(9)]
    return case((func.substr(flat, 1, 1).in_(starts), literal("'") + flat), else_=flat)


def rounded_sql(value, dialect: str, exact_text: bool):
    """``rounded`` in SQL: floor(x * 10 + 0.5) / 10, the same double arithmetic as Python."""
    if dialect == "postgresql":
        out = func.floor(value * 10 + 0.5).op("/")(literal(10.0))
        return cast(out, Numeric(4, 1)) if exact_text else out  # COPY writes 60 as 60.0 then
    return cast(value * 10 + 0.5, Integer).op("/")(literal(10.0))  # scores are never negative


def answer_sql(q: Question, dialect: str, record):
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


def answer_codes(rubric: Rubric) -> Callable[[Sequence[object]], tuple]:
    """Turn a row ending in a JSON array of answers (``raw_answers``) into one of answer codes.

    The same codes as ``answer_sql``: on SQLite one json_extract with every path, Not sure
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
