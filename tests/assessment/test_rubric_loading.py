"""Rubric files built to hang or crash the loader are refused at once, with a short located reason.

Each attack is generated here, in the test's own folder, and must fail within a couple of seconds
(an interval timer interrupts a hang) through ``load_file``, ``flask rubric check`` and gunicorn.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from quizapp.assessment import yaml_safe
from quizapp.assessment.rubric import RubricError, load_file, load_folder, load_versions, parse
from tests.conftest import MINI_RUBRICS, REAL_RUBRICS
from tests.test_server_logs import free_port

MINI_TEXT = (MINI_RUBRICS / "mini.yaml").read_text()
ID_LINE = MINI_TEXT.splitlines().index("id: mini") + 1
ALPHA_LINE = MINI_TEXT.splitlines().index("  - id: alpha") + 1
SECONDS = 2


@contextmanager
def finishes_within(seconds: float):
    """Fail with TimeoutError if the block runs longer than ``seconds`` (SIGALRM interrupts it)."""

    def too_slow(_signum, _frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def text(content: str | bytes):
    """A maker of a rubric file holding ``content``."""

    def make(folder: Path) -> Path:
        path = folder / "attack.yaml"
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        return path

    return make


def fifo(folder: Path) -> Path:
    path = folder / "pipe.yaml"
    os.mkfifo(path)  # nobody ever writes to it: opening it for reading would block forever
    return path


def device(folder: Path) -> Path:
    path = folder / "zero.yaml"
    path.symlink_to("/dev/zero")  # endless bytes
    return path


def alias_bomb(levels: int = 7) -> str:
    """Billion laughs, in a choice field: ``levels`` of ten aliases each, 10**levels strings.

    Ten million rather than a billion: the loader refuses the first anchor whatever the count,
    and should that ever break, this size fails the test in seconds instead of exhausting memory
    while pydantic builds the repr of the expanded value.
    """
    lines = ["lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        lines.append(f"lol{level}: &lol{level} [" + ", ".join([f"*lol{level - 1}"] * 10) + "]")
    choice = f"keyed: *lol{levels - 1}"
    return "\n".join(lines) + "\n" + MINI_TEXT.replace("keyed: minus", choice, 1)


def duplicate_key() -> str:
    """The mini rubric with a second ``id`` in its first dimension: otherwise valid."""
    lines = MINI_TEXT.splitlines(keepends=True)
    lines.insert(ALPHA_LINE + 1, "    id: alpha-again\n")
    return "".join(lines)


ATTACKS = {
    "100,000 levels of flow nesting": (
        text("id: " + "[" * 100_000 + "]" * 100_000),
        "line 1, column 54",  # the 51st level: the document's mapping is the first
        "is nested more than 50 levels deep",
    ),
    "100,000 levels of block nesting": (
        text("id:\n" + "- " * 100_000 + "x\n"),
        "line 2, column 99",
        "is nested more than 50 levels deep",
    ),
    "alias bomb in a choice field": (
        text(alias_bomb()),
        "line 1, column 7",
        "defines the anchor &lol0; rubric files use no anchors or aliases",
    ),
    "an alias": (
        text("id: *name\n"),
        "line 1, column 5",
        "uses the alias *name; rubric files use no anchors or aliases",
    ),
    "a Latin-1 byte": (
        text(b"id: mini\ntitle: Quiz\nrole: \xe9quipe\n"),
        "line 3, column 7",
        "not valid UTF-8 (byte 0xe9)",
    ),
    "a Latin-1 byte after accented UTF-8": (
        text("id: mini\ntitle: Café ".encode() + b"\xe9\n"),
        "line 2, column 13",  # columns count characters, as YAML's do
        "not valid UTF-8 (byte 0xe9)",
    ),
    "a control character": (
        text("id: mini\ntitle: a\x07b\n"),
        "line 2, column 9",
        "not valid YAML: special characters are not allowed (#x0007)",
    ),
    "duplicate key": (
        text(duplicate_key()),
        f"line {ALPHA_LINE + 2}",
        f"duplicate key 'id' (first at line {ALPHA_LINE})",
    ),
    "duplicate key in a flow mapping": (
        text("id: mini\nitems: [{id: a1, text: x, id: a2}]\n"),
        "line 2",
        "duplicate key 'id' (first at line 2)",
    ),
    "a FIFO": (fifo, "", "is a FIFO, not a regular file"),
    "a device": (device, "", "is a device, not a regular file"),
    "a file over the size limit": (
        text(b"#" * (yaml_safe.MAX_FILE_BYTES + 1)),
        "",
        "is larger than 1,048,576 bytes, the limit for a rubric file",
    ),
    "a base-60 number of 200,000 parts": (
        text("id: 1" + ":1" * 200_000 + "\n"),
        "line 1, column 5",
        "is a number longer than 100 characters",
    ),
    "an integer of 5,000 digits": (
        text("estimated_minutes: " + "1" * 5000 + "\n"),
        "line 1, column 20",
        "is a number longer than 100 characters",
    ),
    "a date that does not exist": (
        text("id: 2024-13-45\n"),
        "line 1, column 5",
        "cannot read this value: month must be in 1..12",
    ),
}


def shown(path: Path, location: str, message: str) -> str:
    """The line ``RubricError`` prints for one problem."""
    return f"{path}: {location}: {message}" if location else f"{path}: {message}"


@pytest.mark.parametrize("attack", ATTACKS, ids=list(ATTACKS))
def test_an_attack_is_refused_quickly_with_its_place(tmp_path, attack):
    make, location, message = ATTACKS[attack]
    path = make(tmp_path)
    with finishes_within(SECONDS), pytest.raises(RubricError) as caught:
        load_file(path)
    assert [(p.location, p.message) for p in caught.value.problems] == [(location, message)]
    assert str(caught.value) == f"Invalid rubric {path}:\n  {shown(path, location, message)}"


@pytest.mark.parametrize("attack", ATTACKS, ids=list(ATTACKS))
def test_rubric_check_reports_an_attack_without_a_traceback(runner, tmp_path, attack):
    make, location, message = ATTACKS[attack]
    path = make(tmp_path)
    with finishes_within(SECONDS):
        result = runner.invoke(args=["rubric", "check", str(path)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert result.output == f"Invalid rubric {path}:\n  {shown(path, location, message)}\n"


def test_a_folder_with_a_fifo_or_a_directory_named_yaml_is_refused(tmp_path):
    (tmp_path / "mini.yaml").write_text(MINI_TEXT)
    fifo(tmp_path)
    with finishes_within(SECONDS), pytest.raises(RubricError, match="is a FIFO, not a regular"):
        load_folder(tmp_path)
    (tmp_path / "pipe.yaml").unlink()
    (tmp_path / "archive" / "old.yaml").mkdir(parents=True)
    with pytest.raises(RubricError, match=r"old\.yaml: is a directory, not a regular file"):
        load_versions(tmp_path, load_folder(tmp_path))


def test_the_size_limit_is_checked_on_what_is_read(tmp_path):
    path = tmp_path / "rubric.yaml"
    path.write_bytes(b"id: mini\n")
    assert yaml_safe.read_bytes(path, limit=9) == b"id: mini\n"
    with pytest.raises(yaml_safe.LoadError, match="is larger than 8 bytes"):
        yaml_safe.read_bytes(path, limit=8)


def test_a_long_value_in_a_message_is_cut_short(tmp_path):
    path = tmp_path / "long.yaml"
    path.write_text(MINI_TEXT.replace("keyed: minus", "keyed: " + "z" * 100_000, 1))
    with pytest.raises(RubricError) as caught:
        load_file(path)
    (problem,) = caught.value.problems
    assert problem.location == "dimensions[0].items[3].keyed"
    assert problem.message.startswith("must be one of 'plus' or 'minus', not 'zzzz")
    assert problem.message.endswith("zzz'")
    assert len(problem.message) <= 40 + yaml_safe.SHOWN_CHARS


def test_a_long_unknown_field_name_is_cut_short(tmp_path):
    path = tmp_path / "long.yaml"
    path.write_text(MINI_TEXT + "k" * 1000 + ": 1\n")
    with pytest.raises(RubricError) as caught:
        load_file(path)
    (problem,) = caught.value.problems
    assert problem.location == "k" * (yaml_safe.SHOWN_CHARS - 3) + "..."
    assert problem.message == "is not a known field"


def test_a_file_of_garbage_lists_fifty_problems_and_a_count():
    with pytest.raises(RubricError) as caught:
        parse({"id": "mini", "dimensions": ["x"] * 200}, "garbage.yaml")
    *listed, last = caught.value.problems
    assert len(listed) == 50
    assert re.fullmatch(r"and \d{3} more problems", str(last))  # 200 bad entries and more


SHIPPED = sorted([*REAL_RUBRICS.glob("*.yaml"), *(REAL_RUBRICS / "archive").glob("*.yaml")])


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_a_shipped_rubric_loads_as_before(path):
    data, raw = yaml_safe.load(path)
    assert data == yaml.safe_load(raw)  # the same data as PyYAML's own safe loader gives
    assert load_file(path).content_hash == hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_shipped_folder_loads_with_its_archive():
    current = load_folder(REAL_RUBRICS)
    versions = load_versions(REAL_RUBRICS, current)
    assert len(versions) == len(SHIPPED)


def serve(env: dict[str, str]) -> tuple[int, str, float]:
    """Run gunicorn as ``make run`` does; return its exit status, output and seconds taken."""
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--config",
        "python:quizapp.gunicorn_conf",
        "--bind",
        f"127.0.0.1:{free_port()}",
        "--workers",
        "2",
        "quizapp:create_app()",
    ]
    base = {"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin"}
    started = time.monotonic()
    server = subprocess.Popen(
        command,
        env=base | env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = server.communicate(timeout=15)
    finally:
        if server.poll() is None:  # still serving, or restarting workers: stop all of it
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    return server.returncode, output, time.monotonic() - started


def assert_stops_before_any_worker(env: dict[str, str], reason: str) -> None:
    status, output, seconds = serve(env)
    assert status == 1, output
    assert seconds < 10
    assert output.count(reason) == 1, output
    assert "Booting worker" not in output
    assert "Traceback" not in output


def test_gunicorn_with_a_broken_rubric_stops_before_any_worker(tmp_path):
    folder = tmp_path / "rubrics"
    folder.mkdir()
    (folder / "mini.yaml").write_text(duplicate_key())
    env = {
        "QUIZAPP_SECRET_KEY": "x",
        "QUIZAPP_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "QUIZAPP_RUBRICS_DIR": str(folder),
        "QUIZAPP_DEFAULT_RUBRIC": "mini",
    }
    line = f"line {ALPHA_LINE + 2}: duplicate key 'id' (first at line {ALPHA_LINE})"
    assert_stops_before_any_worker(env, f"{folder / 'mini.yaml'}: {line}")


def test_gunicorn_in_production_without_a_secret_key_stops_before_any_worker(tmp_path):
    env = {
        "QUIZAPP_ENV": "production",
        "QUIZAPP_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "QUIZAPP_RUBRICS_DIR": str(MINI_RUBRICS),
        "QUIZAPP_DEFAULT_RUBRIC": "mini",
    }
    assert_stops_before_any_worker(env, "QUIZAPP_SECRET_KEY is not set")
