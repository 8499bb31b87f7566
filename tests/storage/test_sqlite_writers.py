"""On SQLite, submissions queue for the write lock (threads, then processes) instead of SQLite's
sleeping retries: a second writer waits exactly as long as the first one holds its turn."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from quizapp.storage import db
from quizapp.storage.models import Result
from tests.conftest import make_app, mini_answers

pytestmark = pytest.mark.sqlite_only

HOLD = textwrap.dedent(
    """
    import sys, time
    from quizapp import create_app
    from quizapp.storage import db
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": sys.argv[1]})
    with app.app_context(), db.one_writer_at_a_time(db.engine()):
        print("holding", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def test_a_writer_in_another_process_waits_for_the_turn(tmp_path, migrated_db):
    app = make_app(tmp_path, migrated_db)
    url = app.config["SQLALCHEMY_URL"]
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, url, "1.0"],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        started = time.perf_counter()
        with app.app_context(), db.one_writer_at_a_time(db.engine()):
            waited = time.perf_counter() - started
    finally:
        holder.wait(timeout=30)
    assert 0.5 < waited < 10, waited  # it waited for the other process's turn, then went
    assert Path(url.removeprefix("sqlite:///") + "-writers").exists()


def test_threads_submitting_at_once_each_store_one_result(tmp_path, migrated_db):
    app = make_app(tmp_path, migrated_db)
    statuses: list[int] = []

    def sit() -> None:
        client = app.test_client()
        for _ in range(5):
            statuses.append(client.post("/quiz", data=mini_answers()).status_code)

    threads = [threading.Thread(target=sit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [303] * 40
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Result)) == 40


def in_database_file(path: Path) -> int:
    """Results in the database file itself, leaving out what only the write-ahead log holds."""
    reader = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return reader.execute("SELECT count(*) FROM results").fetchone()[0]
    finally:
        reader.close()


def test_submissions_reach_the_database_file_by_background_checkpoints(
    tmp_path, migrated_db, monkeypatch
):
    """A commit no longer copies the log into the file every thousand pages (and waits for the
    disk): a thread does, soon after writes. The commit's own fallback is far off (40 MB)."""
    monkeypatch.setattr("quizapp.storage.db.CHECKPOINT_EVERY_S", 0.05)
    app = make_app(tmp_path, migrated_db)
    path = Path(app.config["SQLALCHEMY_URL"].removeprefix("sqlite:///"))
    client = app.test_client()
    with app.app_context(), db.engine().connect() as connection:
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 10_000
    assert in_database_file(path) == 0
    for _ in range(12):
        assert client.post("/quiz", data=mini_answers()).status_code == 303
    deadline = time.monotonic() + 10
    while in_database_file(path) < 12 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert in_database_file(path) == 12
    assert [t for t in threading.enumerate() if t.name == "sqlite-checkpoints"]
