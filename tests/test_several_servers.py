"""Two app servers (gunicorn, two ports) in front of one PostgreSQL and one Redis.

Load is spread across both with the load tool's own client; a staff session and a form's CSRF
token made by one server work on the other (same secret key); the sign-in limit counts on both
together (Redis); and nothing acknowledged is lost or stored twice.
"""

from __future__ import annotations

import http.cookiejar
import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from quizapp import create_app
from quizapp.storage import db
from tests.conftest import MINI_RUBRICS, add_link, add_user

ROOT = Path(__file__).resolve().parents[1]
REDIS = "redis://127.0.0.1:6379/13"  # a database of its own, emptied first
PASSWORD = "correct horse battery staple 42"


def load_tool():
    """scripts/load.py as a module (it is a script, not part of the package)."""
    if "quizapp_load_tool" in sys.modules:
        return sys.modules["quizapp_load_tool"]
    spec = importlib.util.spec_from_file_location("quizapp_load_tool", ROOT / "scripts" / "load.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(env: dict, log: Path):
    """Start one app server on a free port; yield its base URL; stop it afterwards."""
    port = free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--config",
                "python:quizapp.gunicorn_conf",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "quizapp:create_app()",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    urllib.request.urlopen(base + "/", timeout=2).read()
                    break
                except OSError:
                    if server.poll() is not None:
                        pytest.fail(f"the server stopped: {log.read_text()[-2000:]}")
                    time.sleep(0.1)
            yield base
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=15)


def browser():
    jar = http.cookiejar.CookieJar()
    load = load_tool()
    return jar, urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(jar), load.NoRedirect
    )


def status_of(opener, url: str, data: dict | None = None) -> tuple[int, str]:
    body = None if data is None else urllib.parse.urlencode(data).encode()
    try:
        with opener.open(urllib.request.Request(url, data=body), timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_two_servers_share_sessions_limits_and_one_database(postgres_url, tmp_path):
    redis = pytest.importorskip("redis")  # the test extra installs it; CI must have it
    redis.Redis.from_url(REDIS).flushdb()
    db.upgrade(postgres_url)
    config = {
        "SECRET_KEY": "one secret for every server",
        "DATABASE_URL": postgres_url,
        "RUBRICS_DIR": str(MINI_RUBRICS),
        "DEFAULT_RUBRIC": "mini",
    }
    setup = create_app({**config, "TESTING": True})
    add_user(setup, "anna", "admin", PASSWORD)
    _link_id, code = add_link(setup)
    with setup.app_context():
        db.engine().dispose()
    env = {
        "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
        "QUIZAPP_SECRET_KEY": config["SECRET_KEY"],
        "QUIZAPP_DATABASE_URL": postgres_url,
        "QUIZAPP_RUBRICS_DIR": str(MINI_RUBRICS),
        "QUIZAPP_DEFAULT_RUBRIC": "mini",
        "QUIZAPP_RATELIMIT_STORAGE_URI": REDIS,
        "QUIZAPP_LOGIN_RATE_LIMIT": "5 per minute",
        "QUIZAPP_SUBMIT_RATE_LIMIT": "10000 per minute",
    }
    with ExitStack() as stack:
        a = stack.enter_context(gunicorn(env, tmp_path / "a.log"))
        b = stack.enter_context(gunicorn(env, tmp_path / "b.log"))

        # A staff session made on A works on B; a form from B posts to A.
        _, staff = browser()
        status, page = status_of(staff, a + "/login")
        status, _ = status_of(
            staff,
            a + "/login",
            {"username": "anna", "password": PASSWORD, "csrf_token": csrf_of(page)},
        )
        assert status == 302
        status, page = status_of(staff, b + "/counselor/")
        assert status == 200 and "Spring cohort" in page
        _, page = status_of(staff, b + "/counselor/links/new")
        status, _ = status_of(
            staff,
            a + "/counselor/links/new",
            {"label": "Made across", "rubric_id": "mini", "csrf_token": csrf_of(page)},
        )
        assert status == 303

        # The sign-in limit (5 a minute here) counts on both servers together.
        statuses = []
        for n in range(7):
            _, stranger = browser()
            server = (a, b)[n % 2]
            _, page = status_of(stranger, server + "/login")
            wrong = {"username": "anna", "password": "not it at all", "csrf_token": csrf_of(page)}
            statuses.append(status_of(stranger, server + "/login", wrong)[0])
        assert statuses[:4] == [422] * 4 and statuses[-1] == 429, statuses

        # Load across both, through one link and the plain quiz: nothing lost or doubled.
        load = load_tool()
        tally = load.Tally()
        deadline = time.monotonic() + 120
        with ThreadPoolExecutor(max_workers=16) as pool:
            for n in range(16):
                base = (a, b)[n % 2]
                path = f"/q/{code}" if n % 4 < 2 else "/quiz"
                pool.submit(load.client, base, path, 5, n, tally, deadline)
    assert dict(tally.statuses) == {303: 80} and not tally.errors
    assert load.stored_results(postgres_url) == len(tally.acknowledged) == 80
    for log in ("a.log", "b.log"):
        assert "Traceback" not in (tmp_path / log).read_text()
