"""Serving as ``make run`` does writes nothing outside the project and its instance folder."""

import sys
import urllib.request
from pathlib import Path

from tests.conftest import MINI_RUBRICS, fresh_database_url
from tests.test_several_servers import gunicorn


def test_gunicorn_writes_nothing_in_the_home_folder(tmp_path, migrated_db):
    """Gunicorn 25.1+ would put its control socket in ~/.gunicorn (no XDG_RUNTIME_DIR here)."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
        "HOME": str(home),
        "QUIZAPP_SECRET_KEY": "x",
        "QUIZAPP_DATABASE_URL": fresh_database_url(tmp_path / "db", migrated_db),
        "QUIZAPP_RUBRICS_DIR": str(MINI_RUBRICS),
        "QUIZAPP_DEFAULT_RUBRIC": "mini",
    }
    with gunicorn(env, tmp_path / "server.log") as base:
        page = urllib.request.urlopen(base + "/quiz", timeout=10).read().decode()
        assert 'name="submission_key"' in page
    assert list(home.rglob("*")) == []
