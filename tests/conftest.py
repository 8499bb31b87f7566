"""Shared fixtures: an app on a fresh migrated database, its client, CLI runner and rows.

The database is SQLite by default. With ``QUIZAPP_TEST_DATABASE_URL`` set to a PostgreSQL server
URL (``make test`` does this for its second run), every database test runs on PostgreSQL instead:
each app gets its own database, created from a template migrated once, and dropped after the test.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from quizapp import create_app
from quizapp.storage import db
from quizapp.storage.models import Result

HERE = Path(__file__).parent
MINI_RUBRICS = HERE / "rubrics"
REAL_RUBRICS = HERE.parent / "rubrics"


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Scrypt at a low cost: the same code path, without 100 ms per hash in every test."""
    monkeypatch.setattr("quizapp.storage.users.HASH_METHOD", "scrypt:1024:8:1")


TEST_DATABASE_URL = os.environ.get("QUIZAPP_TEST_DATABASE_URL")
ON_POSTGRES = bool(TEST_DATABASE_URL)


def pytest_collection_modifyitems(config, items):
    """Tests of SQLite's own behaviour (its pragmas, its file) run only in the SQLite pass."""
    if ON_POSTGRES:
        skip = pytest.mark.skip(reason="SQLite-only behaviour; run in the SQLite pass of make test")
        for item in items:
            if "sqlite_only" in item.keywords:
                item.add_marker(skip)


class PostgresTemplate:
    """A PostgreSQL database migrated once; each app gets a fresh copy (CREATE ... TEMPLATE)."""

    def __init__(self, server_url: str):
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.server = make_url(server_url)
        self.admin = create_engine(
            self.server.set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        self.prefix = f"quizapp_test_{os.getpid()}"
        self.name = f"{self.prefix}_template"
        self.created: list[str] = []
        self.kept: list[str] = []
        self.count = 0
        self.engines: list = []  # the engines of the apps using the created databases
        self._execute(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        self._execute(f"CREATE DATABASE {self.name}")
        db.upgrade(self.url(self.name))

    @property
    def template_url(self) -> str:
        return self.url(self.name)

    def url(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)

    def _execute(self, statement: str) -> None:
        from sqlalchemy import text

        with self.admin.connect() as connection:
            connection.execute(text(statement))

    def new_database(self, for_session: bool = False) -> str:
        """A copy of the template: dropped after the test, or at the end with ``for_session``."""
        self.count += 1
        name = f"{self.prefix}_{self.count}"
        self._execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self._execute(f"CREATE DATABASE {name} TEMPLATE {self.name}")
        (self.kept if for_session else self.created).append(name)
        return self.url(name)

    def drop_created(self) -> None:
        while self.engines:  # close the apps' connections before their databases go
            self.engines.pop().dispose()
        while self.created:
            self._execute(f"DROP DATABASE IF EXISTS {self.created.pop()} WITH (FORCE)")

    def close(self) -> None:
        self.drop_created()
        self.created, self.kept = self.kept, []
        self.drop_created()
        self._execute(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        self.admin.dispose()


def _quiet_pool_on_postgres() -> None:
    """Say nothing when a pooled connection to a dropped test database is reset.

    Each test's databases are dropped WITH (FORCE) once it is over; a connection some object
    still held is then dead, and the pool logs the failed reset, with a traceback, whenever
    garbage collection finalizes it. That can happen in the middle of any compile() (Werkzeug
    compiles routes, Jinja templates), and Python 3.11's traceback formatting calls ast.parse
    inside it, which fails the unrelated test with "SystemError: AST constructor recursion depth
    mismatch" (CPython gh-106905). The message is expected noise here, so it is not logged.
    """
    import logging

    logging.getLogger("sqlalchemy.pool").setLevel(logging.CRITICAL)


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory):
    """A database migrated once with Alembic; each app gets its own copy of it.

    SQLite: a file (its path). PostgreSQL: a template database (a PostgresTemplate).
    """
    if ON_POSTGRES:
        _quiet_pool_on_postgres()
        template = PostgresTemplate(TEST_DATABASE_URL)
        yield template
        template.close()
        return
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    db.upgrade(f"sqlite:///{path}")
    yield path


@pytest.fixture(autouse=True)
def _drop_test_databases(request):
    """On PostgreSQL, drop the databases a test's apps used once the test is over."""
    yield
    if ON_POSTGRES and "migrated_db" in request.fixturenames:
        request.getfixturevalue("migrated_db").drop_created()


def template_url(migrated_db) -> str:
    """The URL of the migrated template itself (for checks that only read the schema)."""
    if isinstance(migrated_db, PostgresTemplate):
        return migrated_db.template_url
    return f"sqlite:///{migrated_db}"


def fresh_database_url(tmp_path: Path, migrated_db, for_session: bool = False) -> str:
    """A new migrated database for one app: a copy of the template."""
    if isinstance(migrated_db, PostgresTemplate):
        return migrated_db.new_database(for_session)
    tmp_path.mkdir(parents=True, exist_ok=True)
    target = tmp_path / "quizapp.sqlite"
    shutil.copy(migrated_db, target)
    return f"sqlite:///{target}"


def rubrics_with_sources(folder: Path) -> Path:
    """A copy of the shipped rubrics folder in which every TPM statement and scenario key names a
    source: in each area the first four statements share one, the last two have one each."""
    import yaml

    shutil.copytree(REAL_RUBRICS, folder)
    path = folder / "technical-project-manager.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for dim in data["dimensions"]:
        for n, item in enumerate(dim["items"]):
            item["source"] = (
                f"Shared source of {dim['name']}" if n < 4 else f"Own source {item['id']}"
            )
    for scenario in data["scenarios"]:
        scenario["key_source"] = f"Key source of {scenario['id']}"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return folder


def make_app(tmp_path: Path, migrated_db, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": fresh_database_url(tmp_path, migrated_db),
        "RUBRICS_DIR": str(MINI_RUBRICS),
        "DEFAULT_RUBRIC": "mini",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,  # tests/auth/test_rate_limits.py turns it on
    }
    config.update(overrides)
    app = create_app(config)
    if isinstance(migrated_db, PostgresTemplate):
        migrated_db.engines.append(app.extensions["quizapp.storage.db"].kw["bind"])
    return app


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
    from quizapp.storage.users import create_user

    with app.app_context():
        session = db.session()
        user = create_user(session, username, password, role)
        session.commit()
        return user.id


def user_id(app, name: str) -> int:
    """The id of the account called ``name``."""
    from quizapp.storage.users import find_user

    with app.app_context():
        return find_user(db.session(), name).id


def role_of(app, name: str) -> str:
    """The role the account called ``name`` has now."""
    from quizapp.storage.users import find_user

    with app.app_context():
        return find_user(db.session(), name).role


def from_address(app, number: int):
    """A client at its own address, as attackers spread over many machines would be."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"203.0.113.{number}"
    return client


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
    from quizapp.storage.models import QuizLink
    from quizapp.storage.users import find_user

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

    from quizapp.storage.models import ResultScore
    from quizapp.storage.rollup import add_rows, result_deltas, rows_for

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
