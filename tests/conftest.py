"""Shared fixtures: an app on a fresh migrated SQLite database, its client, CLI runner and rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from quizapp import create_app, db
from quizapp.models import Result

HERE = Path(__file__).parent
MINI_RUBRICS = HERE / "rubrics"
REAL_RUBRICS = HERE.parent / "rubrics"


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
