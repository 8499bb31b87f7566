"""A shared rate-limit store (Redis) that is out of reach never costs a submission or a sign-in:
each worker counts on its own, says so once in the log, and goes back to the store when it
returns. Shown with a closed port and with a Redis server stopped and started mid-run."""

import logging
import os
import shutil
import socket
import subprocess
import time

import pytest
from sqlalchemy import func, select

from quizapp.storage import db
from quizapp.storage.models import Result
from tests.conftest import add_user, login, make_app, mini_answers

FALLBACK = "falling back to in-memory storage"


@pytest.fixture(autouse=True)
def _store_counted_alive_afterwards():
    """Flask-Limiter's extension object is one per process, and so is its note that the store
    is down; a real process has one app, but the tests make many, so the note goes with each
    test here rather than leaking into the next app (the only reach into its internals)."""
    from quizapp.extensions import limiter

    limiter._storage_dead = False
    yield
    limiter._storage_dead = False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stored(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Result))


def limited_app(tmp_path, migrated_db, url: str):
    return make_app(
        tmp_path,
        migrated_db,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=url,
        SUBMIT_RATE_LIMIT="6 per minute",
        LOGIN_RATE_LIMIT="100 per minute",
    )


def test_a_store_that_cannot_be_reached_costs_no_submission_or_sign_in(
    tmp_path, migrated_db, caplog
):
    caplog.set_level(logging.INFO, logger="flask-limiter")
    app = limited_app(tmp_path, migrated_db, f"redis://127.0.0.1:{free_port()}/0")
    client = app.test_client()
    codes = [client.post("/quiz", data=mini_answers()).status_code for _ in range(7)]
    assert codes == [303] * 6 + [429]  # stored, and still limited, per worker
    assert stored(app) == 6
    add_user(app, "anna")
    assert login(client, "anna", "wrong password").status_code == 422
    assert login(client, "anna").status_code == 302
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and FALLBACK in warnings[0].getMessage()


@pytest.fixture
def redis_server(tmp_path):
    """A Redis server of this test's own, which the test can stop and start again."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed")
        pytest.skip("redis-server is not installed")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
    command += ["no", "--dir", str(tmp_path)]
    servers = []

    def start():
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        servers.append(process)
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return process
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    yield port, start
    for process in servers:
        process.kill()
        process.wait()


def test_a_store_that_goes_away_mid_run_and_comes_back(tmp_path, migrated_db, redis_server, caplog):
    import redis

    caplog.set_level(logging.INFO, logger="flask-limiter")
    port, start = redis_server
    server = start()
    app = limited_app(tmp_path, migrated_db, f"redis://127.0.0.1:{port}/0")
    store = redis.Redis(port=port)
    client = app.test_client()
    assert client.post("/quiz", data=mini_answers()).status_code == 303
    assert store.keys("*")  # counted in the shared store
    server.kill()
    server.wait()
    assert [client.post("/quiz", data=mini_answers()).status_code for _ in range(3)] == [303] * 3
    add_user(app, "anna")
    assert login(client, "anna").status_code == 302
    start()  # back, empty
    deadline = time.monotonic() + 20
    while not store.keys("*") and time.monotonic() < deadline:
        time.sleep(0.5)
        assert app.test_client().post("/quiz", data=mini_answers()).status_code == 303
    assert store.keys("*"), "the counters never went back to the shared store"
    messages = [r.getMessage() for r in caplog.records]
    assert sum(FALLBACK in m for m in messages) == 1
    assert any("recovered" in m for m in messages)
