"""When the database is locked, read-only or out of reach: a 503 page in the product's design
with a retry hint, nothing half-written, the person's answers kept, and recovery when it returns.
Also the opt-in for the real client address behind a reverse proxy."""

import re
import sqlite3

import pytest
from sqlalchemy import func, select

from quizapp import create_app
from quizapp.reporting.stats import fold_pending
from quizapp.storage import db
from quizapp.storage.models import Result, StatRollup
from tests.conftest import MINI_RUBRICS, make_app, mini_answers

pytestmark = pytest.mark.sqlite_only  # SQLite's own locking and files; PostgreSQL below


def stored(app):
    with app.app_context():
        session = db.session()
        fold_pending(session)  # running totals are added on the next read
        return (
            session.scalar(select(func.count()).select_from(Result)),
            session.scalar(select(func.count()).select_from(StatRollup)),
        )


def test_a_writer_holding_the_lock_gives_503_with_the_answers_kept(
    tmp_path, migrated_db, monkeypatch
):
    monkeypatch.setattr("quizapp.storage.db.SQLITE_BUSY_MS", 300)  # 15 s in production
    app = make_app(tmp_path, migrated_db)
    client = app.test_client()
    path = app.config["SQLALCHEMY_URL"].removeprefix("sqlite:///")
    other = sqlite3.connect(path, timeout=0)
    other.execute("BEGIN EXCLUSIVE")  # another writer holds the database
    try:
        response = client.post("/quiz", data=mini_answers(a1="5"))
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "30"
        page = response.get_data(as_text=True)
        assert "We could not confirm your answers were saved" in page
        assert re.search(r'name="a1" value="5"[^>]*checked', page)  # "5" kept
        assert client.get("/r/nonexistent-token-xxxxxxxxxxxx").status_code == 503
    finally:
        other.rollback()
        other.close()
    assert stored(app) == (0, 0)  # nothing half-written
    assert client.post("/quiz", data=mini_answers()).status_code == 303  # recovered
    assert stored(app)[0] == 1


def test_a_read_only_database_gives_503_and_stores_nothing(tmp_path, migrated_db):
    app = make_app(tmp_path, migrated_db)
    path = app.config["SQLALCHEMY_URL"].removeprefix("sqlite:///")
    read_only = make_app(
        tmp_path / "ro", migrated_db, DATABASE_URL=f"sqlite:///file:{path}?mode=ro&uri=true"
    )
    response = read_only.test_client().post("/quiz", data=mini_answers())
    assert response.status_code == 503
    assert "We could not confirm your answers were saved" in response.get_data(as_text=True)
    assert stored(app) == (0, 0)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_unreachable_database_gives_503_pages():
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1",
            "RUBRICS_DIR": str(MINI_RUBRICS),
            "DEFAULT_RUBRIC": "mini",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    client = app.test_client()
    assert client.get("/").status_code == 200  # pages that need no database still work
    result = client.get("/r/some-token-that-is-long-enough-xx")
    assert result.status_code == 503 and "briefly unavailable" in result.get_data(as_text=True)
    assert client.get("/r/some-token-that-is-long-enough-xx.json").status_code == 503
    posted = client.post("/quiz", data=mini_answers())
    assert posted.status_code == 503
    assert "We could not confirm your answers were saved" in posted.get_data(as_text=True)


def test_behind_a_proxy_the_forwarded_address_is_used_only_when_asked(tmp_path, migrated_db):
    for count, expected in ((0, "10.0.0.9"), (1, "203.0.113.7")):
        app = make_app(tmp_path / str(count), migrated_db, PROXY_COUNT=count)

        @app.get("/whoami")
        def whoami():
            from flask import request

            return request.remote_addr

        seen = app.test_client().get(
            "/whoami",
            headers={"X-Forwarded-For": "203.0.113.7"},
            environ_base={"REMOTE_ADDR": "10.0.0.9"},
        )
        assert seen.get_data(as_text=True) == expected


def test_a_negative_proxy_count_stops_start_up(tmp_path, migrated_db):
    from quizapp import StartupError

    with pytest.raises(StartupError, match="QUIZAPP_PROXY_COUNT must be 0 or more"):
        make_app(tmp_path, migrated_db, PROXY_COUNT=-1)
