"""`make bench` runs end to end at small sizes, so the command never rots. Its figures are
measurements for docs/benchmarks.md, not pass marks: a slow machine does not fail this."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.sqlite_only  # it makes its own databases, SQLite and PostgreSQL


def needs_wrk() -> None:
    """wrk is the load generator: CI must have it (a failure there), elsewhere a skip."""
    if shutil.which("wrk") is None:
        if os.environ.get("CI"):
            pytest.fail("make bench needs wrk; .ci/run installs it")
        pytest.skip("wrk is not installed")


def test_make_bench_quick_prints_every_figure(tmp_path):
    needs_wrk()
    out = tmp_path / "bench.md"
    done = subprocess.run(
        [sys.executable, "scripts/bench.py", "--quick", "--seconds", "1",
         "--folder", str(tmp_path / "data"), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = out.read_text()
    for row in (
        "| GET /quiz |",
        "| GET /r/<token>, 1 stored result |",
        "| GET /r/<token>, 300 stored results |",
        "| POST a whole questionnaire, empty database |",
        "| POST a whole questionnaire, 300 stored results |",
        "PostgreSQL, 50 clients: POST through one quiz link vs POST /quiz",
        "Admin dashboard of one link with 200 results",
        "the first worker after a deploy",
        "Dashboard /admin/ (all results): cold",
    ):
        assert row in report, row
    http = [line for line in report.splitlines() if line.startswith(("| GET", "| POST"))]
    assert len(http) == 5 and all("| 0 of " in line for line in http)  # no failed request
    assert "failed:" not in report, report
    assert "rows/s" in report  # the export figures, SQLite and PostgreSQL


def test_only_measures_the_parts_named(tmp_path):
    """``--only post-large --rounds 2``: the one figure, with both rounds' ratios, and nothing
    else measured (no other row, no PostgreSQL database, no seeded link)."""
    needs_wrk()
    out = tmp_path / "bench.md"
    folder = tmp_path / "data"
    done = subprocess.run(
        [sys.executable, "scripts/bench.py", "--quick", "--seconds", "1", "--results", "50",
         "--only", "post-large", "--rounds", "2", "--folder", str(folder), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = out.read_text()
    rows = [line for line in report.splitlines() if line.startswith(("| GET", "| POST"))]
    assert len(rows) == 1 and rows[0].startswith(
        "| POST a whole questionnaire, 50 stored results |"
    )
    assert "| 0 of " in rows[0]
    ratio = rows[0].split(" | ")[3]  # e.g. "31% (30%, 32%)": the median and each round's
    assert ratio.count("%") == 3, ratio
    assert "PostgreSQL" not in report and "dashboard" not in report and "rows/s" not in report
    assert sorted(p.name for p in folder.glob("*.sqlite")) == [
        "empty.sqlite", "posts-big.sqlite", "results-50.sqlite",
    ]  # fmt: skip


def test_only_refuses_a_part_it_does_not_know(tmp_path):
    done = subprocess.run(
        [sys.executable, "scripts/bench.py", "--only", "posts", "--folder", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "--only takes some of: quiz, result, result-large, post, post-large" in done.stderr
    assert not list(tmp_path.iterdir())  # nothing made


def test_the_shortcuts_benchmark_runs_and_names_every_variant():
    done = subprocess.run(
        [sys.executable, "scripts/bench_shortcuts.py", "--rounds", "1", "--requests", "3"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    for variant in ("as shipped", "Flask's session serializer", "Flask-WTF's generate_csrf",
                    "no short-payload signing", "library APIs only"):  # fmt: skip
        assert f"  {variant}" in done.stdout
