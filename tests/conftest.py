"""Shared fixtures: an app on a fresh migrated SQLite database, its client, CLI runner and rows."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from quizapp import create_app, db
from quizapp.models import Result

HERE = Path(__file__).parent
MINI_RUBRICS = HERE / "rubrics"
REAL_RUBRICS = HERE.parent / "rubrics"


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Scrypt at a low cost: the same code path, without 100 ms per hash in every test."""
    monkeypatch.setattr("quizapp.users.HASH_METHOD", "scrypt:1024:8:1")


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory) -> Path:
    """A database file migrated once with Alembic; each test gets its own copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    db.upgrade(f"sqlite:///{path}")
    return path


def make_app(tmp_path: Path, migrated_db: Path, **overrides):
    target = tmp_path / "quizapp.sqlite"
    shutil.copy(migrated_db, target)
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": f"sqlite:///{target}",
        "RUBRICS_DIR": str(MINI_RUBRICS),
        "DEFAULT_RUBRIC": "mini",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,  # tests/auth/test_rate_limits.py turns it on
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def app(tmp_path, migrated_db):
    return make_app(tmp_path, migrated_db)


@pytest.fixture
def tpm_app(tmp_path, migrated_db):
    """The app with the shipped rubric folder, as deployed."""
    return make_app(
        tmp_path,
        migrated_db,
        RUBRICS_DIR=str(REAL_RUBRICS),
        DEFAULT_RUBRIC="technical-project-manager",
    )


POSTGRES_URL = os.environ.get(
    "QUIZAPP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture
def postgres_url():
    """A fresh schema on the local PostgreSQL, dropped afterwards; CI must have the server."""
    from sqlalchemy import create_engine, text

    engine = create_engine(POSTGRES_URL)
    try:
        with engine.connect():
            pass
    except Exception as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc}")
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}")
    schema = f"quizapp_test_{os.getpid()}"
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def count_results(app):
    """Return a function that counts the stored results."""

    def count() -> int:
        with app.app_context():
            return db.session().scalar(select(func.count()).select_from(Result))

    return count


def mini_answers(**changes) -> dict[str, str]:
    """Form data for the mini rubric: everything 'Agree' on plus items, option x, then changes."""
    data = {"a1": "4", "a2": "4", "a3": "4", "a4": "2", "b1": "4", "b2": "4", "b3": "2", "b4": "2"}
    data["s1"] = "x"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


PASSWORD = "correct horse battery"


def add_user(app, username: str, role: str = "counselor", password: str = PASSWORD) -> int:
    """Create an account directly and return its id."""
    from quizapp.users import create_user

    with app.app_context():
        session = db.session()
        user = create_user(session, username, password, role)
        session.commit()
        return user.id


def login(client, username: str, password: str = PASSWORD, next_url: str | None = None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"username": username, "password": password})


@pytest.fixture
def staff(app):
    """Counselor A, counselor B and an admin, each with a signed-in test client."""
    clients = {}
    for name, role in (("anna", "counselor"), ("ben", "counselor"), ("root", "admin")):
        add_user(app, name, role)
        client = app.test_client()
        assert login(client, name).status_code == 302
        clients[name] = client
    return clients


def add_link(app, owner: str = "anna", **fields) -> tuple[int, str]:
    """Create a quiz link for an existing user; return (id, code)."""
    from quizapp.models import QuizLink
    from quizapp.users import find_user

    with app.app_context():
        session = db.session()
        link = QuizLink(
            label=fields.pop("label", "Spring cohort"),
            rubric_id=fields.pop("rubric_id", "mini"),
            owner_id=find_user(session, owner).id,
            **fields,
        )
        session.add(link)
        session.commit()
        return link.id, link.code


def add_result(app, link_id=None, band="mid", scores=None, overall=60.0, day=None, **fields):
    """Store a result with chosen figures and its running totals (for aggregate tests)."""
    import datetime as dt

    from quizapp.models import ResultScore
    from quizapp.rollup import add_rows, result_deltas, rows_for

    scores = scores or {"alpha": 60.0, "beta": 60.0}
    with app.app_context():
        session = db.session()
        result = Result(
            rubric_id=fields.pop("rubric_id", "mini"),
            rubric_version=fields.pop("rubric_version", "0.1"),
            rubric_hash="0" * 64,
            link_id=link_id,
            overall=overall,
            band=band,
            answered=8,
            answers=fields.pop("answers", {}),
            notes=[],
            profile={},
            completed_on=day or dt.date(2026, 11, 2),
            scores=[
                ResultScore(dimension_id=d, position=n, score=s)
                for n, (d, s) in enumerate(scores.items())
            ],
            **fields,
        )
        session.add(result)
        session.flush()
        rubric = app.extensions["quizapp.rubrics"][result.rubric_id]
        deltas = result_deltas(rubric, result.answers, overall, band, scores)
        add_rows(
            session,
            rows_for(deltas, rubric.id, result.rubric_version, result.completed_on, link_id),
        )
        session.commit()
        return result.id
