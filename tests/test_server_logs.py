"""Under gunicorn, access lines carry neither client addresses nor result tokens or link codes."""

import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tests.conftest import MINI_RUBRICS, fresh_database_url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_access_log_redacts_tokens(tmp_path, migrated_db):
    database_url = fresh_database_url(tmp_path, migrated_db)
    port = free_port()
    env = {
        "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
        "QUIZAPP_SECRET_KEY": "x",
        "QUIZAPP_DATABASE_URL": database_url,
        "QUIZAPP_RUBRICS_DIR": str(MINI_RUBRICS),
        "QUIZAPP_DEFAULT_RUBRIC": "mini",
    }
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--config",
                "python:quizapp.gunicorn_conf",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "quizapp:create_app()",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/").read()
                    break
                except OSError:
                    time.sleep(0.1)
            request = urllib.request.Request(base + "/quiz")
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
            page = opener.open(request).read().decode()
            token_field = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(
                1
            )
            answers = {
                "a1": "4",
                "a2": "4",
                "a3": "4",
                "a4": "2",
                "b1": "4",
                "b2": "4",
                "b3": "2",
                "b4": "2",
                "s1": "x",
            }
            body = urllib.parse.urlencode({**answers, "csrf_token": token_field}).encode()
            response = opener.open(urllib.request.Request(base + "/quiz", data=body))
            result_path = urllib.parse.urlsplit(response.geturl()).path
            assert re.fullmatch(r"/r/[A-Za-z0-9_-]{32}", result_path)
            opener.open(base + result_path + ".json").read()
        finally:
            server.terminate()
            server.wait(timeout=10)
    text = log.read_text()
    token = result_path.rsplit("/", 1)[1]
    assert '"GET /r/<redacted>" 200' in text
    assert '"GET /r/<redacted>.json" 200' in text
    assert token not in text
    access_lines = [line for line in text.splitlines() if line.startswith('"')]
    assert len(access_lines) >= 4
    assert not any("127.0.0.1" in line for line in access_lines)  # no client address
