"""Anonymous storage: what a results row can hold, the day-only date, and all-or-nothing writes."""

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from quizapp.assessment.rubric import load_file
from quizapp.assessment.scoring import score
from quizapp.storage import db
from quizapp.storage.models import Result, ResultScore
from quizapp.storage.results import (
    STATEMENTS,
    _insert_rows,
    _result_parameters,
    build_result,
    result_values,
    store_result,
)
from tests.conftest import MINI_RUBRICS

ANSWERS = {"a1": 4, "a2": 4, "a3": 4, "a4": 2, "b1": 4, "b2": 4, "b3": 2, "b4": 2, "s1": "x"}
IDENTIFYING = ("ip", "addr", "agent", "referer", "referrer", "name", "email", "time", "created_at")


@pytest.fixture(scope="module")
def mini():
    return load_file(MINI_RUBRICS / "mini.yaml")


def test_results_table_has_no_identifying_column(app):
    with app.app_context():
        columns = {c["name"]: c for c in inspect(db.engine()).get_columns("results")}
    assert set(columns) == {
        "id",
        "token",
        "rubric_id",
        "rubric_version",
        "rubric_hash",
        "completed_on",
        "link_id",
        "overall",
        "band",
        "answered",
        "answers",
        "notes",
        "profile",
    }
    assert not [c for c in columns if any(word in c for word in IDENTIFYING)]


def test_stored_date_has_no_time_of_day(app, mini):
    with app.app_context():
        session = db.session()
        store_result(db.engine(), mini, ANSWERS, score(mini, ANSWERS))
        raw = session.execute(text("SELECT completed_on FROM results")).scalar_one()
        row = session.scalars(select(Result)).one()
    # SQLite keeps 'YYYY-MM-DD' text, PostgreSQL a DATE: either way nothing more than the day.
    assert str(raw) == dt.datetime.now(dt.UTC).date().isoformat()
    assert type(row.completed_on) is dt.date


def test_a_failed_write_stores_nothing(app, mini):
    with app.app_context():
        session = db.session()
        result = build_result(mini, ANSWERS, score(mini, ANSWERS))
        result.scores.append(
            ResultScore(dimension_id="alpha", position=9, score=1.0)
        )  # duplicate key
        with pytest.raises(IntegrityError), session.begin():
            session.add(result)
        session.rollback()
        assert session.scalar(select(func.count()).select_from(Result)) == 0
        assert session.scalar(select(func.count()).select_from(ResultScore)) == 0


def count_stored(session) -> tuple[int, int]:
    return (
        session.scalar(select(func.count()).select_from(Result)),
        session.scalar(select(func.count()).select_from(ResultScore)),
    )


def test_a_submission_whose_scores_fail_stores_nothing(app, mini, monkeypatch):
    """The result row goes in first; a failure in the next INSERT takes it back out."""
    scored = score(mini, ANSWERS)
    doubled = (*scored.dimensions, scored.dimensions[0])  # the same dimension twice: refused
    with app.app_context():
        session = db.session()
        with pytest.raises(IntegrityError) as refused:
            store_result(db.engine(), mini, ANSWERS, replace(scored, dimensions=doubled))
        assert "result_scores" in str(refused.value)
        assert count_stored(session) == (0, 0)
        store_result(
            db.engine(), mini, ANSWERS, scored
        )  # the connection went back to the pool clean
        assert count_stored(session) == (1, len(scored.dimensions))


def test_an_error_inside_a_driver_transaction_rolls_it_back(app, mini):
    row, scores = result_values(mini, ANSWERS, score(mini, ANSWERS))
    row |= {"token": "t" * 32, "link_id": None}
    row["completed_on"] = dt.date(2026, 1, 2)
    with app.app_context():
        engine = db.engine()
        with pytest.raises(RuntimeError), db.driver_transaction(engine) as cursor:
            statements = STATEMENTS[engine.dialect.name]
            _insert_rows(cursor, statements, _result_parameters(statements, row), scores)
            raise RuntimeError("something after the statements")
        assert count_stored(db.session()) == (0, 0)


def test_a_duplicate_on_the_driver_path_is_sqlalchemys_error_without_stored_values(app, mini):
    """Errors from the submission's own statements read as the engine's: IntegrityError, no
    bound values, and no PostgreSQL DETAIL line (which repeats the duplicated value)."""
    with app.app_context():
        session = db.session()
        first = store_result(db.engine(), mini, ANSWERS, score(mini, ANSWERS))
        row, scores = result_values(mini, ANSWERS, score(mini, ANSWERS))
        row |= {"token": first.token, "link_id": None}
        row["completed_on"] = dt.date(2026, 1, 2)
        engine = db.engine()
        with pytest.raises(IntegrityError) as refused, db.driver_transaction(engine) as cursor:
            statements = STATEMENTS[engine.dialect.name]
            _insert_rows(cursor, statements, _result_parameters(statements, row), scores)
        message = str(refused.value)
        assert first.token not in message
        assert "DETAIL" not in message
        assert refused.value.orig is not None and first.token not in str(refused.value.orig)
        assert count_stored(session) == (1, len(scores))


def test_tokens_are_long_and_unique(app, mini):
    with app.app_context():
        tokens = {
            store_result(db.engine(), mini, ANSWERS, score(mini, ANSWERS)).token for _ in range(20)
        }
    assert len(tokens) == 20
    assert all(len(t) >= 32 for t in tokens)  # 24 random bytes = 192 bits


@pytest.mark.sqlite_only
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    with app.app_context(), db.engine().connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 15000


def test_postgresql_through_database_url(postgres_url, tmp_path):
    from quizapp import create_app

    db.upgrade(postgres_url)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "DATABASE_URL": postgres_url,
            "RUBRICS_DIR": str(MINI_RUBRICS),
            "DEFAULT_RUBRIC": "mini",
            "WTF_CSRF_ENABLED": False,
        }
    )
    client = app.test_client()
    for _ in range(5):  # k (QUIZAPP_COHORT_MIN_SIZE): fewer results cannot be exported
        location = client.post("/quiz", data={k: str(v) for k, v in ANSWERS.items()}).location
    assert client.get(location + ".json").get_json()["overall"] == 73
    exported = app.test_cli_runner().invoke(args=["export", "results"])  # a server-side cursor
    assert exported.exit_code == 0, exported.output
    lines = exported.output.splitlines()
    assert len(lines) == 6 and lines[1].endswith(",1")  # scenario option x, coded 1
    summary = app.test_cli_runner().invoke(args=["export", "summary"])
    assert "total,results,Results,count,,5" in summary.output
    with app.app_context():
        rows = db.session().scalars(select(Result)).all()
        assert [row.answers["s1"] for row in rows] == ["x"] * 5
        db.engine().dispose()
