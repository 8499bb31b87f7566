"""Benchmark the results export against the database's own CSV writer, on the same columns.

The project side runs ``flask --app quizapp export results -o FILE`` in a subprocess with
QUIZAPP_DATABASE_URL set. The reference runs the export's own SELECT (the same columns, codes,
rounding and unnamed small links) through ``sqlite3 -csv`` or ``psql -c "\\copy (...) to FILE
csv"``. Both files are checked to hold the same rows, then each side runs N times; the medians
give rows per second and their ratio.

    .venv/bin/python scripts/bench_exports.py --database-url sqlite:////tmp/big.sqlite
    .venv/bin/python scripts/bench_exports.py --database-url \\
        postgresql+psycopg://postgres@127.0.0.1:5432/big --runs 5 --json

A database to measure: ``flask db upgrade`` then ``flask demo seed --results 100000 --links 20``
with QUIZAPP_DATABASE_URL set (scripts/benchmark.py does the same).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quizapp import create_app  # noqa: E402
from quizapp.cli.common import versioned_rubric  # noqa: E402
from quizapp.reporting.exports import named_link_ids, result_query, sql_text  # noqa: E402
from quizapp.reporting.stats import Filters, result_count  # noqa: E402
from quizapp.storage import db  # noqa: E402


def export_sql(url: str, rubric_id: str | None, version: str | None) -> tuple[str, int, str, str]:
    """The export's SELECT as plain SQL, its row count, and the rubric id and version."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark-only"})
    with app.app_context():
        rubric = versioned_rubric(rubric_id, version)
        filters = Filters(rubric_id=rubric.id, rubric_version=rubric.version)
        session = db.session()
        dialect = session.get_bind().dialect
        named = named_link_ids(session, int(app.config["COHORT_MIN_SIZE"]))
        exact = dialect.name == "postgresql"  # the COPY path's columns
        query = result_query(rubric, filters, named, dialect.name, exact_text=exact)
        return sql_text(query, dialect), result_count(session, filters), rubric.id, rubric.version


def reference_command(url: str, sql: str, out: Path) -> tuple[list[str], bool]:
    """The database's own CSV writer for ``sql``; True when it writes to standard output."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return ["sqlite3", "-csv", parsed.database, sql], True
    libpq = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    return ["psql", libpq, "-X", "-q", "-c", f"\\copy ({sql}) to '{out}' csv"], False


def timed(command: list[str], env: dict, stdout_to: Path | None) -> float:
    started = time.perf_counter()
    if stdout_to is None:
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    else:
        with stdout_to.open("wb") as out:
            subprocess.run(command, env=env, check=True, stdout=out)  # noqa: S603
    return time.perf_counter() - started


def same_rows(project: Path, reference: Path, rows: int) -> None:
    """Fail unless both files hold the same rows (the project's file has a header)."""
    with project.open(newline="", encoding="utf-8") as a, reference.open(newline="") as b:
        mine, theirs = csv.reader(a), csv.reader(b)
        next(mine)
        count = 0
        for count, (x, y) in enumerate(zip(mine, theirs, strict=True), 1):
            if x != y:
                raise SystemExit(f"Row {count} differs:\n  export:    {x}\n  reference: {y}")
    if count != rows:
        raise SystemExit(f"The files hold {count} rows, the database {rows}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="sqlite:////path or postgresql URL")
    parser.add_argument("--rubric", help="rubric id (default: the default quiz)")
    parser.add_argument("--version", help="rubric version (default: its current one)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each side (median)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    backend = make_url(args.database_url).get_backend_name()
    tool = "sqlite3" if backend == "sqlite" else "psql"
    if shutil.which(tool) is None:
        raise SystemExit(
            f"The reference tool {tool!r} is not installed, so there is nothing to compare with. "
            f"Install it (Debian: apt-get install -y {'sqlite3' if tool == 'sqlite3' else 'postgresql-client'})."
        )
    sql, rows, rubric_id, version = export_sql(args.database_url, args.rubric, args.version)
    env = {
        **os.environ,
        "QUIZAPP_DATABASE_URL": args.database_url,
        "QUIZAPP_SECRET_KEY": os.environ.get("QUIZAPP_SECRET_KEY", "benchmark-only"),
    }
    flask = [sys.executable, "-m", "flask", "--app", "quizapp", "export"]
    chosen = ["--rubric", rubric_id, "--version", version]

    with tempfile.TemporaryDirectory(prefix="bench-exports-") as folder:
        mine, theirs = Path(folder) / "export.csv", Path(folder) / "reference.csv"
        project = [*flask, "results", *chosen, "-o", str(mine)]
        reference, to_stdout = reference_command(args.database_url, sql, theirs)
        timed(project, env, None)  # a first run of each, checked and not timed
        timed(reference, env, theirs if to_stdout else None)
        same_rows(mine, theirs, rows)
        project_s = statistics.median(timed(project, env, None) for _ in range(args.runs))
        reference_s = statistics.median(
            timed(reference, env, theirs if to_stdout else None) for _ in range(args.runs)
        )
        # The command's fixed cost (interpreter, imports, app start), for reading the figures.
        codebook = [*flask, "codebook", *chosen]
        startup_s = statistics.median(timed(codebook, env, None) for _ in range(args.runs))

    result = {
        "name": f"export results csv ({backend}, {rubric_id} {version})",
        "rows": rows,
        "project_rows_per_s": round(rows / project_s),
        "reference_rows_per_s": round(rows / reference_s),
        "ratio": round(reference_s / project_s, 3),
        "startup_s": round(startup_s, 2),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['name']}: {rows:,} rows, median of {args.runs} runs each")
    print(
        f"  flask export results -o FILE   {project_s:7.2f} s  {result['project_rows_per_s']:>9,} rows/s"
    )
    print(
        f"  {tool} (same SELECT)            {reference_s:7.2f} s  {result['reference_rows_per_s']:>9,} rows/s"
    )
    print(f"  ratio (project / reference)    {result['ratio']:.2f}")
    print(f"  of which the command's start   {startup_s:7.2f} s  (flask export codebook)")


if __name__ == "__main__":
    main()
