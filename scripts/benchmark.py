"""Benchmark: seed N made-up results, then time the admin pages, a result page and the exports.

Not a test: a reproducible measurement, written up in docs/benchmarks.md. Run from the project
folder:

    .venv/bin/python scripts/benchmark.py --results 1000000

It migrates a fresh SQLite database (default /tmp/quizapp-benchmark-N.sqlite), fills it with the
real ``flask demo seed`` command in a subprocess, signs an admin in through Flask's test client
and times each page: the first ("cold": the first request of a new process; the operating
system's file cache is not dropped) and the median of the next runs. The CSV export is read
as a stream, chunk by chunk, and its Python memory peak is measured with tracemalloc in a second
pass over its first 100,000 rows (tracemalloc slows Python down several times, so the throughput
comes from the first pass). At the end it prints Markdown tables: the figures, and the slowest
SQL statements of one warm request per page.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import platform
import pstats
import resource
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import sqlalchemy
from sqlalchemy import event, func, select

from quizapp import create_app
from quizapp.reporting.stats import compare
from quizapp.storage import db
from quizapp.storage.models import QuizLink, Result, ResultScore, StatRollup, today
from quizapp.storage.users import create_user, find_user, set_password

ROOT = Path(__file__).resolve().parents[1]
TARGET = 2.0  # seconds: the dashboard's target at a million results
ADMIN = "benchmark-admin"
TRACED_ROWS = 100_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=int, default=1_000_000, help="results to seed")
    parser.add_argument("--links", type=int, default=20, help="quiz links to seed")
    parser.add_argument(
        "--db", type=Path, help="SQLite file (default /tmp/quizapp-benchmark-N.sqlite)"
    )
    parser.add_argument("--reuse", action="store_true", help="skip seeding if the file exists")
    parser.add_argument("--runs", type=int, default=5, help="warm runs per page (median)")
    parser.add_argument("--profile", action="store_true", help="cProfile one warm dashboard")
    args = parser.parse_args()
    tmp = Path(tempfile.gettempdir())
    path = (args.db or tmp / f"quizapp-benchmark-{args.results}.sqlite").resolve()
    url = f"sqlite:///{path}"
    env = {**os.environ, "QUIZAPP_DATABASE_URL": url, "QUIZAPP_SECRET_KEY": "benchmark-only"}
    rows: list[tuple[str, str, str]] = []
    bench = Bench(rows)

    bench.note("Load average before", " / ".join(f"{x:.2f}" for x in os.getloadavg()))
    if args.reuse and path.exists():
        bench.note("Seeding", "skipped (--reuse)")
    else:
        for stale in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))):
            stale.unlink(missing_ok=True)
        started = time.perf_counter()
        db.upgrade(url)
        bench.add("Migrate a fresh database (db.upgrade)", time.perf_counter() - started)
        command = ["demo", "seed", "--results", str(args.results), "--links", str(args.links)]
        seconds, peak = run_flask(command, env)
        bench.add(f"Seed: flask demo seed {' '.join(command[2:])}", seconds, f"peak RSS {mb(peak)}")
        bench.note("Seeding rate", f"{args.results / seconds:,.0f} results/s")
    bench.note("Database size on disk", f"{mb(sum(size(p) for p in files_of(path)))} (with WAL)")

    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "benchmark-only", "WTF_CSRF_ENABLED": False}
    )
    setup = prepare(app)
    bench.note("Rows", setup["rows"])
    client = app.test_client()
    response = client.post("/login", data={"username": ADMIN, "password": setup["password"]})
    assert response.status_code == 302, response.status_code
    queries = QueryLog(engine_of(app))

    since = today() - dt.timedelta(days=29)
    pages = [
        ("Dashboard /admin/ (all results)", "/admin/", True),
        ("Dashboard, last 30 days", f"/admin/?since={since}&until={today()}", True),
        (
            f"Dashboard, busiest link ({setup['link_n']:,} results)",
            f"/admin/?link={setup['link']}",
            True,
        ),
        ("Rubric quality /admin/quality", "/admin/quality", True),
        ("Result page /r/<token>", f"/r/{setup['token']}", False),
    ]
    for label, url_path, dashboard in pages:
        cold, warm = time_page(client, url_path, args.runs)
        verdict = (
            "within" if max(cold, warm) <= TARGET else "MISSES"
        ) + f" the {TARGET:g} s target"
        bench.add(f"{label}: cold", cold, verdict if dashboard else "")
        bench.add(f"{label}: warm median of {args.runs}", warm)
        queries.capture(label, lambda p=url_path: client.get(p))

    with app.app_context():
        session = db.session()
        result = session.scalars(select(Result).where(Result.token == setup["token"])).one()
        minimum = app.config["COMPARE_MIN_RESULTS"]
        bench.add(
            "of which the comparison with everyone (stats.compare), warm",
            median_time(lambda: compare(session, result, minimum), args.runs),
        )

    export_csv(bench, client, setup["count"])
    out = path.with_suffix(".csv")
    seconds, peak = run_flask(["export", "results", "-o", str(out)], env)
    lines = count_lines(out) - 1
    bench.add(
        "CLI export: flask export results -o FILE",
        seconds,
        f"{lines:,} rows, {mb(size(out))}, {lines / seconds:,.0f} rows/s, peak RSS {mb(peak)}",
    )
    out.unlink()
    bench.note("Load average after", " / ".join(f"{x:.2f}" for x in os.getloadavg()))

    if args.profile:
        profile_dashboard(client)
    print(machine(path))
    print(table(rows))
    print(queries.table())


class Bench:
    """Collects (what, figure, notes) rows and echoes each to stderr as it is measured."""

    def __init__(self, rows: list[tuple[str, str, str]]):
        self.rows = rows

    def add(self, what: str, seconds: float, notes: str = "") -> None:
        self.rows.append((what, seconds_text(seconds), notes))
        print(f"{what}: {seconds_text(seconds)} {notes}", file=sys.stderr, flush=True)

    def note(self, what: str, figure: str) -> None:
        self.rows.append((what, figure, ""))
        print(f"{what}: {figure}", file=sys.stderr, flush=True)


def engine_of(app):
    return app.extensions["quizapp.storage.db"].kw["bind"]


def prepare(app) -> dict:
    """Make the admin account and pick what to look at: a result in the middle, the busiest link."""
    password = secrets.token_urlsafe(16)
    with app.app_context():
        session = db.session()
        user = find_user(session, ADMIN)
        if user is None:
            create_user(session, ADMIN, password, "admin")
        else:
            set_password(session, user, password)
        session.commit()
        count = session.scalar(select(func.count()).select_from(Result))
        middle = session.scalar(select(func.max(Result.id))) // 2
        result = session.scalars(select(Result).where(Result.id >= middle).limit(1)).one()
        link, link_n = session.execute(
            select(StatRollup.link_key, func.sum(StatRollup.n))
            .where(StatRollup.kind == "all", StatRollup.link_key > 0)
            .group_by(StatRollup.link_key)
            .order_by(func.sum(StatRollup.n).desc())
            .limit(1)
        ).one()
        counts = {
            name: session.scalar(select(func.count()).select_from(model))
            for name, model in (
                ("results", Result),
                ("result_scores", ResultScore),
                ("stat_rollup", StatRollup),
                ("quiz_links", QuizLink),
            )
        }
        return {
            "password": password,
            "count": count,
            "token": result.token,
            "link": link,
            "link_n": int(link_n),
            "rows": ", ".join(f"{name} {n:,}" for name, n in counts.items()),
        }


def time_page(client, path: str, runs: int) -> tuple[float, float]:
    """(first request, median of the next ``runs``) in seconds; every response must be a 200."""
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return times[0], statistics.median(times[1:])


def median_time(call, runs: int) -> float:
    call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def stream(client, path: str, limit: int | None = None) -> tuple[int, int, float | None]:
    """Read a streamed download chunk by chunk, up to ``limit`` lines.

    Return (bytes, lines, seconds until the first TRACED_ROWS lines had arrived).
    """
    started = time.perf_counter()
    response = client.get(path, buffered=False)
    assert response.status_code == 200, response.status_code
    size = lines = 0
    mark = None
    try:
        for chunk in response.iter_encoded():
            size += len(chunk)
            lines += chunk.count(b"\n")
            if mark is None and lines > TRACED_ROWS:
                mark = time.perf_counter() - started
            if limit is not None and lines >= limit:
                break
    finally:
        response.close()
    return size, lines, mark


def export_csv(bench: Bench, client, count: int) -> None:
    path = "/admin/export/results.csv"
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    size, lines, first = stream(client, path)
    seconds = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows = lines - 1
    assert rows == count, (rows, count)
    bench.add(
        f"CSV export {path} (streamed)",
        seconds,
        f"{rows:,} rows, {mb(size)}: {rows / seconds:,.0f} rows/s, {size / seconds / 1e6:.1f} MB/s; "
        f"process peak RSS {mb(rss_before * 1024)} before, {mb(rss_after * 1024)} after",
    )
    if first is not None:
        bench.add(
            f"CSV export: its first {TRACED_ROWS:,} rows",
            first,
            f"{TRACED_ROWS / first:,.0f} rows/s",
        )
    # tracemalloc makes Python several times slower, so it watches the first rows only: a
    # streamed export's memory does not grow with the rows read (the RSS figures above say so).
    tracemalloc.start()
    stream(client, path, TRACED_ROWS)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    bench.note(
        f"CSV export: Python memory peak over its first {TRACED_ROWS:,} rows (tracemalloc)",
        mb(peak),
    )


def run_flask(args: list[str], env: dict) -> tuple[float, int]:
    """Run ``flask --app quizapp ARGS``; return (seconds, peak RSS in bytes) of that process."""
    command = [str(Path(sys.executable).with_name("flask")), "--app", "quizapp", *args]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603 (our own command)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed with status {process.returncode}")
    return seconds, usage.ru_maxrss * 1024


class QueryLog:
    """Times every SQL statement of one request, to show which query dominates a page."""

    def __init__(self, engine):
        self.engine = engine
        self.pages: list[tuple[str, float, str]] = []

    def capture(self, label: str, request) -> None:
        starts = []

        def before(conn, cursor, statement, parameters, context, executemany):
            starts.append(time.perf_counter())

        def after(conn, cursor, statement, parameters, context, executemany):
            self.pages.append(
                (label, time.perf_counter() - starts.pop(), " ".join(statement.split()))
            )

        event.listen(self.engine, "before_cursor_execute", before)
        event.listen(self.engine, "after_cursor_execute", after)
        try:
            request()
        finally:
            event.remove(self.engine, "before_cursor_execute", before)
            event.remove(self.engine, "after_cursor_execute", after)

    def table(self, per_page: int = 3) -> str:
        lines = ["| page | SQL time | statement (start) |", "| --- | ---: | --- |"]
        for label in dict.fromkeys(label for label, _, _ in self.pages):
            mine = sorted((p for p in self.pages if p[0] == label), key=lambda p: -p[1])
            total = sum(p[1] for p in mine)
            lines.append(f"| {label} | {seconds_text(total)} in {len(mine)} statements | (all) |")
            for _, seconds, statement in mine[:per_page]:
                lines.append(f"| | {seconds_text(seconds)} | `{statement[:150]}` |")
        return "\n".join(lines)


def profile_dashboard(client) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    client.get("/admin/")
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    print(out.getvalue(), file=sys.stderr)


def machine(path: Path) -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return (
        f"Machine: {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), "
        f"{memory / 2**30:.1f} GiB RAM, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"SQLAlchemy {sqlalchemy.__version__}; database {path}\n"
    )


def table(rows: list[tuple[str, str, str]]) -> str:
    lines = ["| measure | figure | notes |", "| --- | ---: | --- |"]
    lines += [f"| {what} | {figure} | {notes} |" for what, figure, notes in rows]
    return "\n".join(lines) + "\n"


def files_of(path: Path) -> list[Path]:
    return [p for p in (path, path.with_name(path.name + "-wal")) if p.exists()]


def size(path: Path) -> int:
    return path.stat().st_size


def count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


def seconds_text(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


if __name__ == "__main__":
    main()
