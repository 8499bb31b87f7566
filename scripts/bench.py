"""`make bench`: quizapp's speed as ratios to a hello-world Flask app measured in the same run.

Not a test: a measurement, written up in docs/benchmarks.md. Both apps run under the same
gunicorn settings (``quizapp/gunicorn_conf.py`` with 2 sync workers) and the same load
generator (wrk, 2 threads, 32 connections); each quizapp figure is divided by a hello-world
figure taken just before it, so a busy or slow machine moves both.

    .venv/bin/python scripts/bench.py                  # the full run (seeds 1,000,000 results)
    .venv/bin/python scripts/bench.py --quick          # small sizes, a minute or two (CI runs this)
    .venv/bin/python scripts/bench.py --only post-large --rounds 10   # one figure, more rounds

It prints a Markdown table and writes it to --out (default bench-results.md), with:

- GET /quiz; GET /r/<token> with 1 stored result and with --results stored results;
- POST of a whole questionnaire (CSRF token and cookie from a real GET; a new submission key per
  request) on an empty database and with --results stored results;
- on PostgreSQL (when --postgres-url answers): 50 clients posting through one quiz link,
  against the same posts to /quiz, and the errors seen;
- the admin dashboard of a link with --link-results results (in process, cold and warm);
- the exports against the database's own tools (scripts/bench_exports.py);
- scripts/benchmark.py's figures at --results (the pages and exports at a million results).

``--only`` takes a comma-separated list of the parts in PARTS and measures those alone.
"""

from __future__ import annotations

import argparse
import base64
import html.parser
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
SECRET = "benchmark-only"
WRK_THREADS = 2
# Threads per gunicorn worker. The project's configuration runs 4 (gthread workers), and gunicorn
# turns "sync" workers into gthread ones when threads > 1; 1 keeps them sync, as the goals were set.
THREADS = 1
# The parts of a run, in the order they are measured (``--only`` picks some).
PARTS = (
    "quiz", "result", "result-large", "post", "post-large",
    "postgres", "dashboard", "exports", "pages",
)  # fmt: skip


# --- Servers and load -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(database_url: str | None) -> dict[str, str]:
    env = {
        **os.environ,
        "QUIZAPP_SECRET_KEY": SECRET,
        "QUIZAPP_RATELIMIT_ENABLED": "false",  # one address sends everything here
        "PYTHONPATH": f"{ROOT}{os.pathsep}{HERE / 'bench'}",
    }
    if database_url:
        env["QUIZAPP_DATABASE_URL"] = database_url
    return env


@contextmanager
def server(app: str, database_url: str | None = None):
    """Serve ``app`` under gunicorn with the project's settings and 2 sync workers.

    A server that exits while starting (say the free port was taken again before gunicorn
    bound it) is started once more on another port; a third failure stops the run with the
    end of gunicorn's own output."""
    for attempt in range(3):
        port = free_port()
        command = [
            str(VENV_BIN / "gunicorn"),
            "--config",
            "python:quizapp.gunicorn_conf",
            "--worker-class",
            "sync",
            "--threads",
            str(THREADS),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            app,
        ]
        log = tempfile.TemporaryFile()  # noqa: SIM115 (closed below)
        process = subprocess.Popen(
            command, cwd=ROOT, env=app_env(database_url), stdout=subprocess.DEVNULL, stderr=log
        )
        base = f"http://127.0.0.1:{port}"
        if _answers(process, base):
            break
        log.seek(0)
        said = log.read()[-2000:].decode(errors="replace")
        log.close()
        if attempt == 2:
            raise SystemExit(f"{app} did not start (gunicorn exited):\n{said}")
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _answers(process: subprocess.Popen, base: str) -> bool:
    """Wait until the server answers (True) or exits (False)."""
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/", timeout=10).read()
            return True
        except (urllib.error.URLError, OSError):
            if process.poll() is not None:
                return False
            time.sleep(0.1)
    return True  # slow to start: the first measurement says so


def wrk(url: str, seconds: float, connections: int = 32, script: Path | None = None, env=None):
    """Requests per second and failed responses (non-2xx/3xx, socket errors) of one wrk run."""
    command = [
        "wrk",
        f"-t{WRK_THREADS}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
    ]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, env=env, check=True
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if sockets:
        bad += sum(int(n) for n in sockets.groups())
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return rate, bad, total


class Inputs(html.parser.HTMLParser):
    """The inputs of a page: hidden values, and every radio group's choices."""

    def __init__(self):
        super().__init__()
        self.hidden: dict[str, str] = {}
        self.radios: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag != "input" or "name" not in a:
            return
        if a.get("type") == "radio":
            self.radios.setdefault(a["name"], []).append(a.get("value", ""))
        elif a.get("type") == "hidden":
            self.hidden[a["name"]] = a.get("value", "")


def filled_in(base: str, path: str = "/quiz") -> tuple[str, str]:
    """(form body without a submission key, session cookie) from a real GET of the quiz."""
    with urllib.request.urlopen(base + path) as response:
        page = response.read().decode()
        cookie = response.headers["Set-Cookie"].split(";")[0]
    inputs = Inputs()
    inputs.feed(page)
    fields = {"csrf_token": inputs.hidden["csrf_token"]}
    for n, (name, values) in enumerate(sorted(inputs.radios.items())):
        fields[name] = values[n % len(values)]  # a spread of answers, the same every run
    return urllib.parse.urlencode(fields), cookie


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post_once(base: str, path: str = "/quiz") -> str:
    """Post one questionnaire and return the result page's path."""
    body, cookie = filled_in(base, path)
    body += "&submission_key=" + page_keys(cookie, 1)[0]
    request = urllib.request.Request(
        base + path, data=body.encode(), headers={"Cookie": cookie}, method="POST"
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(request)
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 303, redirect.code
        return urllib.parse.urlsplit(redirect.headers["Location"]).path
    raise AssertionError("the post was not redirected")


def session_value(cookie: str, name: str) -> str:
    """A value of a Flask session cookie ("session=..."): its payload is signed, not hidden."""
    value = cookie.split("=", 1)[1]
    packed = value.startswith(".")  # compressed, for a long payload
    payload = value.lstrip(".").split(".")[0]
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return json.loads(zlib.decompress(data) if packed else data)[name]


def page_keys(cookie: str, count: int) -> list[str]:
    """Submission keys as the server issues them to the browser with this session cookie (one
    per questionnaire page it would have been shown; quizapp/quiz/keys.py)."""
    from quizapp.quiz.keys import issue

    binding = session_value(cookie, "csrf_token")
    now = time.time()
    return [issue(SECRET, binding, now) for _ in range(count)]


POSTS_PER_SECOND_AT_MOST = 5000  # keys made for a run: enough for every post to have its own


def post_load(base: str, path: str, seconds: float, connections: int = 32):
    body, cookie = filled_in(base, path)
    count = int(POSTS_PER_SECOND_AT_MOST * max(1, round(seconds)))
    with tempfile.NamedTemporaryFile("w", suffix=".keys") as keys:
        keys.write("\n".join(page_keys(cookie, count)) + "\n")
        keys.flush()
        env = {**os.environ, "BENCH_BODY": body, "BENCH_COOKIE": cookie}
        env |= {"BENCH_KEYS": keys.name, "BENCH_THREADS": str(WRK_THREADS)}
        return wrk(base + path, seconds, connections, HERE / "bench" / "post.lua", env)


# --- Databases ---------------------------------------------------------------------------------


def flask(args: list[str], database_url: str) -> str:
    done = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "quizapp", *args],
        cwd=ROOT,
        env=app_env(database_url),
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def sqlite_db(folder: Path, name: str, seed: list[str] | None) -> str:
    """A migrated SQLite file, seeded with ``flask demo seed`` arguments (kept between runs)."""
    path = folder / f"{name}.sqlite"
    url = f"sqlite:///{path}"
    made = path.exists()
    flask(["db", "upgrade"], url)  # a kept file gets any newer migration
    if seed and not made:
        print(f"seeding {name}: flask demo seed {' '.join(seed)}", file=sys.stderr)
        flask(["demo", "seed", *seed], url)
    return url


def copy_db(url: str, name: str) -> str:
    """A scratch copy of a SQLite database, so posts do not grow the kept one."""
    source = Path(url.removeprefix("sqlite:///"))
    target = source.with_name(name + ".sqlite")
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


def postgres_db(admin_url: str, name: str) -> str | None:
    """A fresh, migrated PostgreSQL database, or None when the server does not answer."""
    import sqlalchemy

    try:
        engine = sqlalchemy.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
    except sqlalchemy.exc.OperationalError:
        return None
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    flask(["db", "upgrade"], url)
    return url


def make_link(database_url: str) -> str:
    """Create a counselor and a quiz link with no limit; return the link's path."""
    code = subprocess.run(
        [str(VENV_BIN / "python"), "-c", LINK_CODE],
        cwd=ROOT,
        env=app_env(database_url),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return f"/q/{code}"


LINK_CODE = """
from quizapp import create_app
from quizapp.storage import db
from quizapp.storage.models import QuizLink
from quizapp.storage.users import create_user
app = create_app()
with app.app_context():
    session = db.session()
    owner = create_user(session, "bench-counselor", "bench-counselor-password-7Qx!", "counselor")
    session.flush()
    link = QuizLink(label="Benchmark class", rubric_id=app.config["DEFAULT_RUBRIC"], owner_id=owner.id)
    session.add(link)
    session.commit()
    print(link.code)
"""

LINK_DASHBOARD = """
import json, statistics, sys, time
from sqlalchemy import func, select
from quizapp import KeptTemplates, create_app
from quizapp.storage import db
from quizapp.storage.models import Result
from quizapp.storage.users import create_user
app = create_app({"WTF_CSRF_ENABLED": False})
app.jinja_env.bytecode_cache = KeptTemplates(sys.argv[2])  # as the app keeps them, in a folder of the run's
with app.app_context():
    session = db.session()
    link_id, n = session.execute(
        select(Result.link_id, func.count()).where(Result.link_id.is_not(None))
        .group_by(Result.link_id).order_by(func.count().desc()).limit(1)
    ).one()
    create_user(session, "bench-admin", "bench-admin-password-7Qx!", "admin")
    session.commit()
client = app.test_client()
client.post("/login", data={"username": "bench-admin", "password": "bench-admin-password-7Qx!"})
times = []
for _ in range(int(sys.argv[1])):
    started = time.perf_counter()
    response = client.get(f"/admin/?link={link_id}")
    times.append(time.perf_counter() - started)
    assert response.status_code == 200, response.status_code
print(json.dumps({"n": n, "cold": times[0], "warm": statistics.median(times[1:])}))
"""


def link_dashboard(linkdb: str, templates: str) -> dict:
    """The large link's dashboard timed in a new process, on a copy of its own, keeping compiled
    templates in ``templates``."""
    done = subprocess.run(
        [str(VENV_BIN / "python"), "-c", LINK_DASHBOARD, "6", templates],
        cwd=ROOT,
        env=app_env(copy_db(linkdb, "link-scratch")),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- The run -------------------------------------------------------------------------------------


class Table:
    def __init__(self):
        self.rows: list[tuple[str, ...]] = []

    def add(self, *cells: str) -> None:
        self.rows.append(cells)
        print(" | ".join(cells), file=sys.stderr, flush=True)

    def markdown(self, header: tuple[str, ...]) -> str:
        lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


def warm_up(seconds: float) -> float:
    """A short first run, not counted: both workers up, first pages rendered and kept."""
    return max(1.0, seconds / 5)


def ratio_row(
    table: Table, what: str, measure, seconds: float, goal: float, rounds: int = 3
) -> float:
    """Measure hello-world and then ``measure(seconds)``, ``rounds`` times in turn; add the row
    with the median of each side and the median of the rounds' ratios; return that ratio.

    This machine's speed drifts from one run to the next (other machines share its cores), so
    each ratio compares two runs made seconds apart, and the median drops a round that drifted.
    """
    hellos, rates, ratios, bad, total = [], [], [], 0, 0
    for _ in range(rounds):
        with server("hello_app:app") as base:
            wrk(base + "/", warm_up(seconds))
            hello, _, _ = wrk(base + "/", seconds)
        rate, failed, sent = measure(seconds)
        hellos.append(hello)
        rates.append(rate)
        ratios.append(rate / hello)
        bad += failed
        total += sent
    ratio = statistics.median(ratios)
    verdict = "meets" if ratio >= goal else "MISSES"
    table.add(
        what,
        f"{statistics.median(rates):,.0f} req/s",
        f"{statistics.median(hellos):,.0f} req/s",
        f"{ratio:.0%} ({', '.join(f'{r:.0%}' for r in ratios)})",
        f">= {goal:.0%} ({verdict})",
        f"{bad} of {total:,}",
    )
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and 1 s runs (CI)")
    parser.add_argument("--results", type=int, help="stored results for the large figures")
    parser.add_argument("--link-results", type=int, help="results of the large link")
    parser.add_argument("--seconds", type=float, help="length of each wrk run")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker (1: sync workers)"
    )
    parser.add_argument("--rounds", type=int, help="hello-world and quizapp runs in turn, a row")
    parser.add_argument("--export-runs", type=int, default=3, help="runs of each export (median)")
    parser.add_argument("--folder", type=Path, default=Path("/tmp/quizapp-bench"))
    parser.add_argument("--out", type=Path, default=Path("bench-results.md"))
    parser.add_argument(
        "--only", help=f"measure only these parts, comma-separated: {', '.join(PARTS)}"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
    )  # fmt: skip
    args = parser.parse_args()
    want = set(PARTS)
    if args.only:
        want = {part.strip() for part in args.only.split(",") if part.strip()}
        if not want or want - set(PARTS):
            parser.error(f"--only takes some of: {', '.join(PARTS)}")
    results = args.results or (300 if args.quick else 1_000_000)
    link_results = args.link_results or (200 if args.quick else 200_000)
    seconds = args.seconds or (1 if args.quick else 10)
    rounds = args.rounds or (1 if args.quick else 3)
    global THREADS
    THREADS = args.threads
    if shutil.which("wrk") is None:
        raise SystemExit("make bench needs wrk (Debian: apt-get install wrk).")
    args.folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    load_before = os.getloadavg()

    empty = sqlite_db(args.folder, "empty", None)
    big = None
    if want & {"result-large", "post-large", "exports", "pages"}:
        seed = ["--results", str(results), "--links", "20"]
        big = sqlite_db(args.folder, f"results-{results}", seed)

    http = Table()

    def get(url: str, path: str):
        def measure(s):
            with server("quizapp:create_app()", url) as base:
                wrk(base + path, warm_up(s))  # both workers started, pages kept
                return wrk(base + path, s)

        return measure

    def post(url: str, path: str = "/quiz", connections: int = 32):
        def measure(s):
            with server("quizapp:create_app()", url) as base:
                post_load(base, path, warm_up(s), connections)
                return post_load(base, path, s, connections)

        return measure

    if "quiz" in want:
        ratio_row(http, "GET /quiz", get(empty, "/quiz"), seconds, 0.5, rounds)
    if "result" in want:
        one = copy_db(empty, "one")
        with server("quizapp:create_app()", one) as base:
            one_token = post_once(base)
        what = "GET /r/<token>, 1 stored result"
        ratio_row(http, what, get(one, one_token), seconds, 0.5, rounds)
    if "result-large" in want:
        with server("quizapp:create_app()", big) as base:
            big_token = post_once(base)  # on a copy below; the page is read-only
        what = f"GET /r/<token>, {results:,} stored results"
        ratio_row(http, what, get(big, big_token), seconds, 0.5, rounds)
    if "post" in want:
        scratch = copy_db(empty, "posts-empty")
        what = "POST a whole questionnaire, empty database"
        ratio_row(http, what, post(scratch), seconds, 0.25, rounds)
    if "post-large" in want:
        scratch = copy_db(big, "posts-big")
        what = f"POST a whole questionnaire, {results:,} stored results"
        ratio_row(http, what, post(scratch), seconds, 0.25, rounds)

    pg = None
    if want & {"postgres", "exports"}:
        pg = postgres_db(args.postgres_url, "quizapp_bench")
    sections: list[str] = []
    if http.rows:
        sections += [
            f"### Requests per second (wrk -t2 -c32, gunicorn with 2 workers of {THREADS} "
            "thread(s), both apps)",
            f"Each row: {rounds} round(s) of hello-world then quizapp; rates are the medians, the "
            "ratio the median of the rounds' ratios (each round's in brackets).",
            http.markdown(("what", "quizapp", "hello-world", "ratio", "goal", "failed")),
        ]
    if "postgres" in want:
        sections += [
            "### A class submitting at once on PostgreSQL",
            class_at_once(pg, seconds).markdown(
                ("what", "through one link", "plain /quiz", "ratio", "goal")
            ),
        ]
    if "dashboard" in want:
        sections += [
            "### A large link's dashboard",
            large_link(args.folder, link_results).markdown(
                ("what", "cold", "warm (median of 5)", "goal")
            ),
        ]
    if "exports" in want:
        sections += [
            f"### Exports against the database's own tools (median of {args.export_runs})",
            exports_against_tools(big, pg, results, args.export_runs).markdown(
                ("what", "quizapp", "reference", "ratio", "goal")
            ),
        ]
    if "pages" in want:
        sections += [
            f"### scripts/benchmark.py at {results:,} results",
            pages_at_size(big, results, args.quick),
        ]
    report = "\n\n".join(
        [
            f"## `make bench` on {time.strftime('%Y-%m-%d')}",
            machine(load_before, time.perf_counter() - started, seconds),
            *sections,
        ]
    )
    args.out.write_text(report + "\n")
    print(report)


def class_at_once(pg: str | None, seconds: float) -> Table:
    """50 clients posting through one quiz link on PostgreSQL, against the same posts to /quiz."""
    concurrency = Table()
    if pg is None:
        concurrency.add("PostgreSQL", "not reachable at --postgres-url: not measured", "", "", "")
        return concurrency
    link_path = make_link(pg)
    with server("quizapp:create_app()", pg) as base:
        post_load(base, "/quiz", warm_up(seconds), 50)
        plain, plain_bad, plain_n = post_load(base, "/quiz", seconds, 50)
        linked, linked_bad, linked_n = post_load(base, link_path, seconds, 50)
    verdict = "meets" if linked * 2 >= plain and not (plain_bad or linked_bad) else "MISSES"
    concurrency.add(
        "PostgreSQL, 50 clients: POST through one quiz link vs POST /quiz",
        f"{linked:,.0f} req/s ({linked_bad} failed of {linked_n:,})",
        f"{plain:,.0f} req/s ({plain_bad} failed of {plain_n:,})",
        f"{linked / plain:.0%}",
        f"within 2x, 0 errors ({verdict})",
    )
    return concurrency


def large_link(folder: Path, link_results: int) -> Table:
    """The admin dashboard of one link with ``link_results`` results, in two new processes."""
    dash = Table()
    linkdb = sqlite_db(
        folder,
        f"link-{link_results}",
        ["--results", str(link_results), "--links", "1", "--all-linked"],
    )
    with tempfile.TemporaryDirectory() as templates:
        # The first process compiles every template and keeps it (a worker after a deploy); the
        # second loads them, as every later worker does.
        first = link_dashboard(linkdb, templates)
        later = link_dashboard(linkdb, templates)
    verdict = "meets" if max(later["cold"], later["warm"]) < 0.2 else "MISSES"
    dash.add(
        f"Admin dashboard of one link with {later['n']:,} results (in process), a new worker",
        f"{later['cold'] * 1000:.0f} ms",
        f"{later['warm'] * 1000:.0f} ms",
        f"< 200 ms ({verdict})",
    )
    dash.add(
        "The same, the first worker after a deploy (it compiles each template once)",
        f"{first['cold'] * 1000:.0f} ms",
        f"{first['warm'] * 1000:.0f} ms",
        "(once per deploy)",
    )
    return dash


def exports_against_tools(big: str, pg: str | None, results: int, runs: int) -> Table:
    """The results export against ``sqlite3 -csv`` and ``psql \\copy`` (bench_exports.py)."""
    exports = Table()
    for label, url in (("SQLite", big), ("PostgreSQL", pg)):
        if url is None:
            continue
        if label == "PostgreSQL":
            flask(["demo", "seed", "--results", str(min(results, 100_000)), "--links", "20"], url)
        done = subprocess.run(
            [str(VENV_BIN / "python"), str(HERE / "bench_exports.py"), "--database-url", url,
             "--json", "--runs", str(runs)],
            cwd=ROOT, env=app_env(url), capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode:
            exports.add(
                f"Results export, {label}", "failed: " + done.stderr.strip()[-200:], "", "", ""
            )
            continue
        for line in done.stdout.strip().splitlines():
            f = json.loads(line)
            verdict = "meets" if f["ratio"] >= 0.5 else "MISSES"
            exports.add(
                f"{f['name']} ({f['rows']:,} rows)",
                f"{f['project_rows_per_s']:,.0f} rows/s",
                f"{f['reference_rows_per_s']:,.0f} rows/s",
                f"{f['ratio']:.0%}",
                f">= 50% ({verdict})",
            )
    return exports


def pages_at_size(big: str, results: int, quick: bool) -> str:
    """scripts/benchmark.py's Markdown: the admin pages, a result page and the exports."""
    done = subprocess.run(
        [str(VENV_BIN / "python"), str(HERE / "benchmark.py"), "--results", str(results),
         "--db", big.removeprefix("sqlite:///"), "--reuse", "--runs", "3" if quick else "5"],
        cwd=ROOT, env=app_env(None), capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout if done.returncode == 0 else "benchmark.py failed:\n" + done.stderr[-2000:]


def machine(load_before, elapsed: float, seconds: float) -> str:
    cpus = os.cpu_count()
    load = " / ".join(f"{x:.2f}" for x in load_before)
    return (
        f"{platform.platform()}, {cpus} CPUs, Python {platform.python_version()}; load average "
        f"before the run {load}; each rate from a {seconds:g} s wrk run; whole run "
        f"{elapsed / 60:.1f} min."
    )


if __name__ == "__main__":
    main()
