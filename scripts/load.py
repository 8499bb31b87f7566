"""Load tool: many clients take the quiz at once through real HTTP, as browsers would.

Each client keeps its own cookies, GETs the questionnaire, reads its CSRF token and one-time
submission key, picks an answer to every question, and POSTs the form; a 303 to a result page is
an acknowledged submission. At the end it reports throughput, latency percentiles, every status
that was not a 2xx or 3xx, and (with --database-url) the rows stored against those acknowledged.

    .venv/bin/python scripts/load.py --url http://127.0.0.1:5000 --clients 50 --each 1000
    .venv/bin/python scripts/load.py --url http://127.0.0.1:5000 --link CODE --clients 50 --each 20 \\
        --database-url sqlite:////path/to/instance/quizapp.sqlite

Point it only at a server of your own on this machine. The server's submission rate limit
(QUIZAPP_SUBMIT_RATE_LIMIT, per client address) counts every client here as one address: raise it
or switch rate limits off (QUIZAPP_RATELIMIT_ENABLED=false) for the run. Requests are bounded by
--clients x --each and by --max-seconds.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import random
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

HIDDEN = re.compile(r'<input[^>]*name="(csrf_token|submission_key)"[^>]*value="([^"]*)"')
RADIO = re.compile(r'<input[^>]*type="radio"[^>]*>')
ATTR = re.compile(r'(name|value)="([^"]*)"')
RESULT = re.compile(r"/r/[A-Za-z0-9_-]{20,}$")
LOCAL = ("127.", "localhost", "[::1]")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Tally:
    """What all clients saw, collected under one lock."""

    latencies: list[float] = field(default_factory=list)  # seconds, whole GET + POST
    statuses: Counter = field(default_factory=Counter)
    acknowledged: set[str] = field(default_factory=set)  # result paths the server sent us to
    errors: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, status: int, location: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] += 1
            if status == 303 and location and RESULT.search(location):
                self.acknowledged.add(RESULT.search(location).group(0))


def form_values(page: str, rng: random.Random) -> dict[str, str]:
    """The hidden fields and one random choice for every radio group of the questionnaire."""
    values = dict(HIDDEN.findall(page))
    groups: dict[str, list[str]] = {}
    for tag in RADIO.findall(page):
        attrs = dict(ATTR.findall(tag))
        groups.setdefault(attrs["name"], []).append(attrs["value"])
    for name, choices in groups.items():
        values[name] = rng.choice(choices)
    return values


def client(base: str, path: str, each: int, seed: int, tally: Tally, deadline: float) -> None:
    """One browser: its own cookies, ``each`` sittings one after another."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    rng = random.Random(seed)  # noqa: S311 (made-up answers, not secrets)
    for _ in range(each):
        if time.monotonic() > deadline:
            return
        started = time.perf_counter()
        try:
            with opener.open(base + path, timeout=60) as response:
                page = response.read().decode()
            body = urllib.parse.urlencode(form_values(page, rng)).encode()
            request = urllib.request.Request(base + path, data=body)  # noqa: S310 (local http)
            try:
                with opener.open(request, timeout=60) as response:
                    status, location = response.status, response.headers.get("Location")
            except urllib.error.HTTPError as error:
                status, location = error.code, error.headers.get("Location")
        except (OSError, urllib.error.URLError) as error:
            with tally.lock:
                tally.errors[type(error).__name__] += 1
            continue
        tally.add(time.perf_counter() - started, status, location)


def new_link(database_url: str, maximum: int | None) -> str:
    """Create a quiz link (owned by a "load-test" counselor) straight in the database."""
    import secrets as token

    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from quizapp.storage.models import QuizLink, User
    from quizapp.storage.users import find_user

    engine = create_engine(database_url)
    with Session(engine) as session:
        owner = find_user(session, "load-test")
        if owner is None:
            # No password can match "!": the account exists only to own the link, disabled.
            owner = User(username="load-test", password_hash="!", role="counselor", active=False)  # noqa: S106
            session.add(owner)
            session.flush()
        link = QuizLink(
            label=f"Load test {token.token_hex(3)}",
            rubric_id="technical-project-manager",
            owner_id=owner.id,
            max_responses=maximum,
        )
        session.add(link)
        session.commit()
        code = link.code
    engine.dispose()
    return code


def stored_results(database_url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM results")).scalar_one()
    engine.dispose()
    return int(count)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000", help="the server (this machine)")
    parser.add_argument("--link", help="a quiz link code: post through /q/CODE instead of /quiz")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--each", type=int, default=10, help="sittings per client")
    parser.add_argument("--max-seconds", type=float, default=1800)
    parser.add_argument("--database-url", help="count stored results before and after")
    parser.add_argument(
        "--new-link",
        action="store_true",
        help="post through a new quiz link made in the database (needs --database-url)",
    )
    parser.add_argument("--link-maximum", type=int, help="with --new-link: its maximum")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    host = urllib.parse.urlsplit(args.url).netloc
    if not host.startswith(LOCAL):
        parser.error("--url must be a server on this machine (127.0.0.1, localhost or [::1])")
    if args.new_link:
        if not args.database_url:
            parser.error("--new-link needs --database-url")
        args.link = new_link(args.database_url, args.link_maximum)
    path = f"/q/{args.link}" if args.link else "/quiz"
    before = stored_results(args.database_url) if args.database_url else None
    tally = Tally()
    deadline = time.monotonic() + args.max_seconds
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.clients) as pool:
        for n in range(args.clients):
            pool.submit(client, args.url, path, args.each, args.seed * 1000 + n, tally, deadline)
    elapsed = time.perf_counter() - started
    total = sum(tally.statuses.values())
    bad = {s: n for s, n in sorted(tally.statuses.items()) if not 200 <= s < 400}
    lines = [
        f"target: {args.url}{path}  clients: {args.clients}  sittings each: {args.each}",
        f"completed: {total} in {elapsed:.1f} s = {total / elapsed:.1f} sittings/s "
        "(each a GET of the form and a POST)",
        f"latency per sitting: p50 {percentile(tally.latencies, 50) * 1000:.0f} ms, "
        f"p95 {percentile(tally.latencies, 95) * 1000:.0f} ms, "
        f"p99 {percentile(tally.latencies, 99) * 1000:.0f} ms",
        f"statuses: {dict(sorted(tally.statuses.items()))}",
        f"not 2xx/3xx: {bad or 'none'}",
        f"connection errors: {dict(tally.errors) or 'none'}",
        f"acknowledged results (distinct result pages): {len(tally.acknowledged)}",
    ]
    ok = not bad and not tally.errors and len(tally.acknowledged) == tally.statuses.get(303, 0)
    if args.database_url:
        stored = stored_results(args.database_url) - before
        lost = max(0, len(tally.acknowledged) - stored)
        duplicated = max(0, stored - len(tally.acknowledged))
        lines.append(f"stored: {stored}, lost: {lost}, duplicated: {duplicated}")
        ok = ok and lost == 0 and duplicated == 0
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
