"""Storing scored results and reading them back by token."""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, selectinload

from ..assessment.rubric import Rubric
from ..assessment.scoring import Answer, ScoredResult
from .db import driver_transaction, one_writer_at_a_time
from .links import LinkState, state_of
from .models import (
    PendingTotal,
    QuizLink,
    Result,
    ResultScore,
    new_token,
    submission_token,
    today,
)
from .rollup import forget_before


def result_values(
    rubric: Rubric, answers: Mapping[str, Answer], scored: ScoredResult
) -> tuple[dict, list[dict]]:
    """The columns of a result row and of its score rows: everything a result keeps, no more."""
    question_ids = [q.id for q in (*rubric.items, *rubric.checks, *rubric.scenarios)]
    row = {
        "rubric_id": rubric.id,
        "rubric_version": rubric.version,
        "rubric_hash": rubric.content_hash,
        "overall": scored.overall,
        "band": scored.band,
        "answered": scored.answered,
        "answers": {q: answers.get(q) for q in question_ids},
        "notes": list(scored.notes),
        "profile": profile_of(scored),
    }
    scores = [
        {"dimension_id": d.id, "position": n, "score": d.score}
        for n, d in enumerate(scored.dimensions)
    ]
    return row, scores


def build_result(rubric: Rubric, answers: Mapping[str, Answer], scored: ScoredResult) -> Result:
    """Return an unsaved Result row holding everything a stored result keeps, and nothing more."""
    row, scores = result_values(rubric, answers, scored)
    return Result(**row, scores=[ResultScore(**score) for score in scores])


@dataclass(frozen=True)
class Stored:
    """A result just stored: what the page that follows needs of it."""

    id: int
    token: str
    link_id: int | None


def profile_of(scored: ScoredResult) -> dict:
    """What the scoring found, as ids into the rubric; newer keys only when the rubric uses them."""
    profile = {
        "fit": list(scored.fit),
        "not_fit": list(scored.not_fit),
        "strengths": list(scored.strengths),
        "gaps": list(scored.gaps),
        "grow": list(scored.grow),
    }
    if scored.roles:
        profile["roles"] = list(scored.roles)
    if scored.near:
        profile["near"] = list(scored.near)
    if scored.capped:
        profile["capped"] = True
    if scored.unbacked:
        profile["unbacked"] = {"said": scored.said, "done": scored.done}
    if scored.around:
        profile["around"] = list(scored.around)
    if scored.no_role_fits:
        profile["no_role_fits"] = True
    unsure = {d.id: d.unsure for d in scored.dimensions if d.unsure}
    if unsure:
        profile["unsure"] = unsure
    if scored.quality is not None:
        q = scored.quality
        profile["quality"] = {
            "inconsistency": None if q.inconsistency is None else round(q.inconsistency),
            "both_sides": None if q.both_sides is None else round(100 * q.both_sides),
            "failed_checks": q.failed_checks,
        }
    return profile


class LinkClosedError(Exception):
    """The quiz link stopped taking responses before this one could be stored."""

    def __init__(self, state: LinkState):
        super().__init__(state.message)
        self.state = state


RETRIES = 4
RETRY_SQLSTATES = {"40P01", "40001"}  # PostgreSQL: deadlock detected, serialization failure


def _retryable(error: DBAPIError) -> bool:
    return getattr(error.orig, "sqlstate", None) in RETRY_SQLSTATES


def store_result(
    engine: Engine,
    rubric: Rubric,
    answers: Mapping[str, Answer],
    scored: ScoredResult,
    link: QuizLink | None = None,
    key: str | None = None,
) -> Stored:
    """Write a result and its scores in one transaction of its own: all of it or nothing.

    ``key`` is the questionnaire page's one-time submission key, from which the result's token
    is made (``submission_token``, under the app's secret key): when a result with that token
    exists (the same page posted twice, in a row or at once), that result is returned and
    nothing new is stored. Without a key the token is random. A transaction the database gives
    up on because of contention (a deadlock or serialization failure, which the lock order below
    should make rare) is retried a few times, briefly backing off; nothing of a failed attempt
    remains.
    """
    token = submission_token(current_app.secret_key, key) if key else new_token()
    k = current_app.config["COHORT_MIN_SIZE"]  # a link's maximum counts in whole blocks of k
    for attempt in range(RETRIES):
        try:
            return _store_once(engine, rubric, answers, scored, link, token, k)
        except IntegrityError:
            if not key:
                raise
            with Session(engine) as session:
                existing = _by_token(session, token)
                if existing is None:
                    raise
                return Stored(existing.id, existing.token, existing.link_id)
        except DBAPIError as error:
            if not _retryable(error) or attempt == RETRIES - 1:
                raise
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))  # noqa: S311 (jitter only)
    raise AssertionError("unreachable")


def find_submission(session: Session, key: str) -> Result | None:
    """The result stored from the questionnaire page with this one-time key, if any."""
    return _by_token(session, submission_token(current_app.secret_key, key))


def _by_token(session: Session, token: str) -> Result | None:
    return session.scalars(select(Result).where(Result.token == token)).one_or_none()


def _store_once(engine, rubric, answers, scored, link, token, k: int) -> Stored:
    """One attempt, with one lock order for every writer, so writers wait instead of deadlock.

    PostgreSQL: a link with a maximum is locked first (FOR UPDATE) and its responses counted,
    then the result is inserted with its scores and its place in the queue of pending running
    totals, rows no other submission writes. SQLite: the insert comes first, which takes the
    database's single write lock, and the count follows. Either way two people can never both
    take the last place on a link. Plain statements on the driver's cursor (``_insert_rows``).
    """
    row, scores = result_values(rubric, answers, scored)
    link_id = link.id if link is not None else None
    row |= {
        "token": token,
        "link_id": link_id,
        "completed_on": today(),
    }
    statements = STATEMENTS[engine.dialect.name]
    lock_first = engine.dialect.name == "postgresql"
    parameters = _result_parameters(statements, row)
    with driver_transaction(engine, one_writer_at_a_time(engine)) as cursor:
        if link_id is not None and lock_first and link.max_responses is not None:
            _check_link(cursor, statements, link_id, k, already_counted=0)
        result_id = _insert_rows(cursor, statements, parameters, scores)
        if link_id is not None and not lock_first:
            _check_link(cursor, statements, link_id, k, already_counted=1)
    return Stored(result_id, row["token"], link_id)


RESULT_COLUMNS = (
    "token", "rubric_id", "rubric_version", "rubric_hash", "completed_on",
    "link_id", "overall", "band", "answered", "answers", "notes", "profile",
)  # fmt: skip
JSON_COLUMNS = frozenset({"answers", "notes", "profile"})


@dataclass(frozen=True)
class Statements:
    """A submission's statements in one driver's placeholder style (fixed text only)."""

    result: str
    scores: str
    pending: str
    link: str  # the link's state, locked where the database can
    responses: str  # how many results the link has
    dates_as_text: bool  # SQLite keeps a date as its ISO text (as SQLAlchemy writes it)
    # SQLite's cursor knows the id of the row it inserted (``lastrowid``), which is cheaper than
    # a RETURNING clause; PostgreSQL's returns it.
    id_from_cursor: bool


def _statements(mark: str, json_mark: str, lock: str, sqlite: bool) -> Statements:
    marks = ", ".join(json_mark if c in JSON_COLUMNS else mark for c in RESULT_COLUMNS)
    returning = "" if sqlite else " RETURNING id"
    return Statements(
        result=f"INSERT INTO results ({', '.join(RESULT_COLUMNS)}) VALUES ({marks}){returning}",  # noqa: S608
        scores=f"INSERT INTO result_scores (result_id, dimension_id, position, score) "  # noqa: S608
        f"VALUES ({mark}, {mark}, {mark}, {mark})",
        pending=f"INSERT INTO rollup_pending (result_id) VALUES ({mark})",  # noqa: S608
        link="SELECT active, archived, expires_on, max_responses FROM quiz_links "  # noqa: S608
        f"WHERE id = {mark}{lock}",
        responses=f"SELECT count(*) FROM results WHERE link_id = {mark}",  # noqa: S608
        dates_as_text=sqlite,
        id_from_cursor=sqlite,
    )


STATEMENTS = {
    "sqlite": _statements("?", "?", "", sqlite=True),
    "postgresql": _statements("%s", "%s::json", " FOR UPDATE", sqlite=False),
}


def _result_parameters(statements: Statements, row: dict) -> tuple:
    """A result row's values as the driver takes them, in RESULT_COLUMNS order."""
    values = []
    for column in RESULT_COLUMNS:
        value = row[column]
        if column in JSON_COLUMNS:
            value = json.dumps(value)
        elif column == "completed_on" and statements.dates_as_text:
            value = value.isoformat()
        values.append(value)
    return tuple(values)


def _insert_rows(cursor, statements: Statements, parameters: tuple, scores: list[dict]) -> int:
    """INSERT a result (``_result_parameters``), its scores and its place in the queue of running
    totals (added by the next fold, quizapp/rollup.py); return the result's id.

    Three statements on the driver's cursor in the write's transaction (``driver_transaction``):
    building and running them through SQLAlchemy's statement layer took longer than the
    database took to store them.
    """
    cursor.execute(statements.result, parameters)
    result_id = cursor.lastrowid if statements.id_from_cursor else cursor.fetchone()[0]
    cursor.executemany(
        statements.scores,
        [(result_id, s["dimension_id"], s["position"], s["score"]) for s in scores],
    )
    cursor.execute(statements.pending, (result_id,))
    return result_id


class _LinkRow(NamedTuple):
    """What ``state_of`` reads of a link, as the write's transaction sees it."""

    active: bool
    archived: bool
    expires_on: dt.date | None
    max_responses: int | None


def _check_link(cursor, statements: Statements, link_id: int, k: int, already_counted: int) -> None:
    """Raise LinkClosedError if the link takes no more responses. Its responses are counted
    (after locking) only when it has a maximum: a busy link's count is the longest step a
    submission could take while it holds the write lock."""
    cursor.execute(statements.link, (link_id,))
    active, archived, expires_on, max_responses = cursor.fetchone()
    if isinstance(expires_on, str):
        expires_on = dt.date.fromisoformat(expires_on)
    responses = 0
    if max_responses is not None:
        cursor.execute(statements.responses, (link_id,))
        responses = cursor.fetchone()[0] - already_counted
    row = _LinkRow(bool(active), bool(archived), expires_on, max_responses)
    state = state_of(row, responses, k)
    if not state.is_open:
        raise LinkClosedError(state)


def result_exists(session: Session, token: str) -> bool:
    """Whether a result with this token is stored: one indexed look-up, nothing loaded.

    Asked on every view of a kept result page, so it goes straight to the driver (a pooled
    connection, the driver's own placeholder): a quarter of the time of a SQLAlchemy query.
    """
    engine = session.get_bind()
    placeholder = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(f"SELECT 1 FROM results WHERE token = {placeholder}", (token,))  # noqa: S608
        found = cursor.fetchone() is not None
        cursor.close()
    finally:
        connection.close()  # back to the pool
    return found


def find_result(session: Session, token: str) -> Result | None:
    """Return the result with this token, with its scores, or None."""
    query = select(Result).where(Result.token == token).options(selectinload(Result.scores))
    return session.scalars(query).one_or_none()


def purge_before(session: Session, cutoff: dt.date, dry_run: bool = False) -> int:
    """Remove results completed before ``cutoff`` with their scores and running totals."""
    old = select(Result.id).where(Result.completed_on < cutoff)
    count = session.scalar(select(func.count()).select_from(old.subquery())) or 0
    if dry_run:
        return count
    try:
        session.execute(delete(ResultScore).where(ResultScore.result_id.in_(old)))
        session.execute(delete(PendingTotal).where(PendingTotal.result_id.in_(old)))
        session.execute(delete(Result).where(Result.completed_on < cutoff))
        forget_before(session, cutoff)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return count
