"""Demo data: ``flask demo seed`` fills the database with realistic made-up results, fast.

Each made-up respondent has a general "TPM-ness" trait and, per dimension, a trait correlated
with it. Statements are answered with a graded response model (agreeing grows more likely as the
trait grows; reversed statements the other way round), with a little "Not sure", a personal
tendency to agree with everything, and a few people who give the same answer throughout.
Scenario options are chosen with probabilities that favour the options giving points to the
person's strong dimensions. Every result is scored by the real ``scoring.score``.

For speed, rows are written with bulk inserts a batch at a time, in day order, and the running
totals (stat_rollup) are added up in memory with the same code that folds in live results
(``rollup.Totals``), then written with ``add_rows`` in the
same transaction as the batch's results. On SQLite the load runs with ``synchronous=OFF`` and a
larger page cache: a crash of the machine mid-load can lose the load, so seed demo databases only.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import multiprocessing
import os
import random
import secrets
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import accumulate

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from ..assessment.rubric import LIKERT_MAX, LIKERT_MIN, Rubric
from ..assessment.scoring import Answer, ScoredResult, score
from ..storage import db as database
from ..storage.models import QuizLink, Result, ResultScore, User, new_token, today
from ..storage.results import profile_of
from ..storage.rollup import Totals, add_rows
from ..storage.users import create_user, find_user

BATCH = 5000  # results per insert and commit
MAX_JOBS = 4

# Respondents. A dimension trait is GENERAL * general + SPECIFIC * its own part (variance 1).
GENERAL, SPECIFIC = 0.6, 0.8
GENERAL_MEAN = 0.1  # people who take a TPM quiz lean a little towards the role
THRESHOLDS = (-2.1, -1.0, 0.0, 1.4)  # graded response model, on the trait scale
SLOPES = (1.2, 2.2)  # item discriminations are drawn from this range, once per seed
ITEM_SHIFT_SD = 0.3  # how much items differ in how easy they are to agree with
ACQUIESCENCE_SD = 0.35  # a personal tendency to agree, whatever the statement says
NOT_SURE = ((0.01, 0.70), (0.06, 0.25), (0.2, 0.05))  # (per-statement rate, share of people)
STRAIGHT_LINERS = 0.03  # share of people who give the same answer to every statement
STRAIGHT_VALUES = ((3, 0.3), (4, 0.45), (5, 0.15), (2, 0.1))
OPTION_FIT = 0.3  # how much a scenario option's pull grows with the traits it rewards
OPTION_APPEAL = 0.2  # how much a generally good option pulls anyone
CARELESS = 0.01  # chance of a slip on an attention check

# When: later days a little busier, weekends quieter, some day-to-day noise.
GROWTH, WEEKEND, DAY_NOISE_SD = 0.8, 0.4, 0.15

# Quiz links: a share of results comes through links owned by a few demo counselors.
LINK_SHARE = 0.4
LINKS_PER_COUNSELOR = 4
MAX_COUNSELORS = 6
SEASONS = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring"}
SEASONS |= {6: "summer", 7: "summer", 8: "summer", 9: "autumn", 10: "autumn", 11: "autumn"}
COHORTS = ("workshop", "bootcamp", "career fair", "evening class", "drop-in sessions", "webinar")

demo_cli = AppGroup("demo", help="Fill the database with realistic made-up results (demos only).")


class Population:
    """Made-up respondents for one rubric; item and option parameters are fixed by the seed."""

    def __init__(self, rubric: Rubric, rng: random.Random):
        position = {d.id: n for n, d in enumerate(rubric.dimensions)}
        self.dimensions = len(position)
        self.items = []  # (id, dimension position, plus-keyed, slope, cut points on the latent)
        for dim in rubric.dimensions:
            for item in dim.items:
                slope = rng.uniform(*SLOPES)
                shift = rng.gauss(0.0, ITEM_SHIFT_SD)
                cuts = tuple(slope * (b + shift) for b in THRESHOLDS)
                self.items.append((item.id, position[dim.id], item.keyed == "plus", slope, cuts))
        self.checks = [(c.id, c.accept[0]) for c in rubric.checks]
        self.scenarios = [
            (
                s.id,
                [o.id for o in s.options],
                [
                    ([(position[d], p) for d, p in o.points.items()], sum(o.points.values()))
                    for o in s.options
                ],
            )
            for s in rubric.scenarios
        ]

    def answers(self, rng: random.Random) -> dict[str, Answer]:
        """One person's answers to every question, statements first, as the quiz stores them."""
        gauss, uniform = rng.gauss, rng.random
        general = gauss(GENERAL_MEAN, 1.0)
        traits = [GENERAL * general + SPECIFIC * gauss(0.0, 1.0) for _ in range(self.dimensions)]
        answers: dict[str, Answer] = {}
        if uniform() < STRAIGHT_LINERS:
            value = _pick(rng, STRAIGHT_VALUES)
            for item_id, *_ in self.items:
                answers[item_id] = value
            for check_id, _ in self.checks:
                answers[check_id] = value
            for scenario_id, option_ids, _ in self.scenarios:
                answers[scenario_id] = rng.choice(option_ids)
            return answers
        agree = gauss(0.0, ACQUIESCENCE_SD)
        not_sure = _pick(rng, NOT_SURE)
        for item_id, dim, plus, slope, cuts in self.items:
            if uniform() < not_sure:
                answers[item_id] = None
                continue
            u = uniform() or 0.5
            noise = math.log(u / (1.0 - u))  # logistic: a graded response (cumulative logit) model
            keyed = LIKERT_MIN + bisect.bisect(
                cuts, slope * traits[dim] + noise + (agree if plus else -agree)
            )
            answers[item_id] = keyed if plus else LIKERT_MIN + LIKERT_MAX - keyed
        for check_id, accept in self.checks:
            answers[check_id] = accept if uniform() > CARELESS else rng.randint(1, 5)
        for scenario_id, option_ids, options in self.scenarios:
            pull = [
                math.exp(OPTION_APPEAL * total + OPTION_FIT * sum(p * traits[d] for d, p in points))
                for points, total in options
            ]
            answers[scenario_id] = rng.choices(option_ids, pull)[0]
        return answers


def _pick(rng: random.Random, weighted: tuple[tuple[float, float], ...]):
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def day_counts(
    rng: random.Random, count: int, days: int, last: dt.date
) -> list[tuple[dt.date, int]]:
    """Spread ``count`` results over the ``days`` days ending ``last``, oldest day first."""
    dates = [last - dt.timedelta(days=days - 1 - n) for n in range(days)]
    weights = [
        (1 + GROWTH * n / max(days - 1, 1))
        * (WEEKEND if day.weekday() >= 5 else 1.0)
        * rng.lognormvariate(0.0, DAY_NOISE_SD)
        for n, day in enumerate(dates)
    ]
    picked = Counter(rng.choices(range(days), weights, k=count))
    return [(day, picked[n]) for n, day in enumerate(dates) if picked[n]]


@dataclass(frozen=True)
class DemoLink:
    """A demo quiz link: the days it takes results and how popular it is."""

    id: int
    first: dt.date
    last: dt.date
    weight: float


def demo_counselors(session: Session, count: int) -> list[User]:
    """The demo counselor accounts, created with random passwords nobody knows if missing."""
    out = []
    for n in range(1, count + 1):
        name = f"demo-counselor-{n}"
        user = find_user(session, name)
        if user is None:
            user = create_user(session, name, secrets.token_urlsafe(32), "counselor")
        out.append(user)
    session.flush()
    return out


def make_links(
    session: Session,
    rng: random.Random,
    rubric: Rubric,
    count: int,
    first: dt.date,
    last: dt.date,
    whole_period: bool = False,
) -> list[DemoLink]:
    """Create ``count`` quiz links, each open for a stretch of the period (or all of it), for
    demo counselors."""
    if count == 0:
        return []
    owners = demo_counselors(session, min(MAX_COUNSELORS, -(-count // LINKS_PER_COUNSELOR)))
    numbered = session.scalar(select(func.count()).select_from(QuizLink)) or 0
    span = (last - first).days + 1
    made = []
    for n in range(count):
        start = first + dt.timedelta(days=rng.randrange(max(1, span * 2 // 3)))
        end = min(last, start + dt.timedelta(days=rng.randint(max(1, span // 3), span)))
        if whole_period:
            start, end = first, last
        link = QuizLink(
            label=f"Demo cohort {numbered + n + 1} ({SEASONS[start.month]} {rng.choice(COHORTS)})",
            rubric_id=rubric.id,
            owner_id=owners[n % len(owners)].id,
            created_on=start,
            expires_on=end if end < last else None,
        )
        session.add(link)
        made.append((link, start, end, rng.lognormvariate(0.0, 0.6)))
    session.flush()
    return [DemoLink(link.id, start, end, weight) for link, start, end, weight in made]


@dataclass
class Batch:
    """Rows for one bulk insert, and the running totals they add (rollup rows, merged)."""

    rubric: Rubric
    results: list[dict] = field(default_factory=list)
    scores: list[dict] = field(default_factory=list)
    running: Totals = field(default_factory=Totals)
    totals: list[dict] = field(default_factory=list)

    def add(self, result_id: int, day: dt.date, link_id, answers, scored: ScoredResult) -> None:
        rubric = self.rubric
        # The same fields as results.build_result, as plain dicts (tests/cli/test_seed.py checks).
        self.results.append(
            {
                "id": result_id,
                "token": new_token(),
                "rubric_id": rubric.id,
                "rubric_version": rubric.version,
                "rubric_hash": rubric.content_hash,
                "completed_on": day,
                "link_id": link_id,
                "overall": scored.overall,
                "band": scored.band,
                "answered": scored.answered,
                "answers": answers,
                "notes": list(scored.notes),
                "profile": profile_of(scored),
            }
        )
        scores = {}
        for position, dim in enumerate(scored.dimensions):
            self.scores.append(
                {
                    "result_id": result_id,
                    "dimension_id": dim.id,
                    "position": position,
                    "score": dim.score,
                }
            )
            scores[dim.id] = dim.score
        # What the result adds to the running totals, summed per day and link.
        self.running.add(rubric, day, link_id, answers, scored.overall, scored.band, scores)

    def close(self) -> Batch:
        """Turn the per-day-and-link sums into rollup rows, merged by table key."""
        self.totals, self.running = self.running.rows(), Totals()
        return self

    def write(self, session: Session) -> None:
        """Insert the rows and add their running totals, in one transaction."""
        if self.results:
            session.execute(insert(Result.__table__), self.results)
            session.execute(insert(ResultScore.__table__), self.scores)
        add_rows(session, self.totals)
        session.commit()


@dataclass(frozen=True)
class Plan:
    """What every batch of a seed run shares: the rubric, the random seed and the quiz links."""

    rubric: Rubric
    seed: int
    links: tuple[DemoLink, ...]
    link_share: float = LINK_SHARE


def batches(per_day: list[tuple[dt.date, int]], first_id: int, size: int):
    """Split the days into batches of ``size`` results: (number, first id, [(day, count)])."""
    number, days, filled = 0, [], 0
    for day, count in per_day:
        while count:
            take = min(count, size - filled)
            days.append((day, take))
            filled += take
            count -= take
            if filled == size:
                yield number, first_id, days
                number, first_id, days, filled = number + 1, first_id + size, [], 0
    if days:
        yield number, first_id, days


def build_batch(plan: Plan, spec: tuple[int, int, list[tuple[dt.date, int]]]) -> Batch:
    """Make, score and total one batch of results. Pure: runs in a worker process."""
    number, result_id, days = spec
    rubric = plan.rubric
    people = Population(rubric, _stream(plan.seed, "items"))
    rng = _stream(plan.seed, f"people:{number}")  # one stream per batch: the same with any --jobs
    batch = Batch(rubric)
    for day, count in days:
        open_links = [link for link in plan.links if link.first <= day <= link.last]
        link_ids = [link.id for link in open_links]
        cumulative = list(accumulate(link.weight for link in open_links))
        for _ in range(count):
            link_id = None
            if open_links and rng.random() < plan.link_share:
                link_id = rng.choices(link_ids, cum_weights=cumulative)[0]
            answers = people.answers(rng)
            batch.add(result_id, day, link_id, answers, score(rubric, answers))
            result_id += 1
    return batch.close()


def seed_results(
    session: Session,
    plan: Plan,
    per_day: list[tuple[dt.date, int]],
    jobs: int = 1,
    progress: Callable[[int], None] = lambda n: None,
) -> int:
    """Make and store results day by day, ``jobs`` processes making them; return how many linked.

    Worker processes make, score and total the batches; this process writes them in order, so
    ids follow the days. Each batch has its own random stream, so the data do not depend on jobs.
    """
    first_id = (session.scalar(select(func.max(Result.id))) or 0) + 1
    specs = list(batches(per_day, first_id, BATCH))
    make = partial(build_batch, plan)
    linked = 0
    with _workers(min(jobs, len(specs))) as pool:
        for batch in pool.imap(make, specs) if pool else map(make, specs):
            batch.write(session)
            linked += sum(1 for row in batch.results if row["link_id"] is not None)
            progress(len(batch.results))
    if session.get_bind().dialect.name == "postgresql":
        # The ids were given explicitly: move the sequence past them for the app's next result.
        session.execute(
            text("SELECT setval(pg_get_serial_sequence('results', 'id'), max(id)) FROM results")
        )
        session.commit()
    return linked


@contextmanager
def _workers(jobs: int):
    """A pool of worker processes, or None for one. Forked: workers import nothing again, and
    leave the database connection they inherit alone (they only compute)."""
    if jobs <= 1:
        yield None
        return
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        yield pool


@contextmanager
def bulk_session() -> Iterator[Session]:
    """A session on one connection; on SQLite, without fsync and with a larger page cache."""
    engine = database.engine()
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA synchronous=OFF")
            connection.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MB
            connection.commit()
        try:
            with Session(bind=connection, expire_on_commit=False) as session:
                yield session
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA synchronous=NORMAL")  # as db.py sets it
                connection.exec_driver_sql("PRAGMA cache_size=-2000")  # SQLite's default
                connection.commit()


def _stream(seed: int, purpose: str) -> random.Random:
    """An independent random stream per purpose, so changing --links keeps the same people."""
    return random.Random(f"{seed}:{purpose}")  # noqa: S311 (made-up data, never secrets)


@demo_cli.command("seed")
@click.option("--results", "count", type=click.IntRange(min=1), required=True, help="How many.")
@click.option("--rubric", "rubric_id", help="Rubric id (default: the default quiz).")
@click.option(
    "--links",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Quiz links to create; about 40% of results come through them.",
)
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=365,
    show_default=True,
    help="Spread results over this many days, ending today.",
)
@click.option(
    "--all-linked",
    is_flag=True,
    help="Every result comes through the links, each open all the period (large-link tests).",
)
@click.option("--seed", "random_seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=lambda: min(os.cpu_count() or 1, MAX_JOBS),
    show_default="the number of CPUs, at most 4",
    help="Processes making results (the data are the same whatever this is).",
)
def seed(
    count: int,
    rubric_id: str | None,
    links: int,
    days: int,
    all_linked: bool,
    random_seed: int,
    jobs: int,
) -> None:
    """Add COUNT made-up results, scored by the real rubric, with their running totals."""
    loaded = current_app.extensions["quizapp.rubrics"]
    rubric = loaded.get(rubric_id or current_app.config["DEFAULT_RUBRIC"])
    if rubric is None:
        raise click.ClickException(
            f"Unknown rubric {rubric_id!r}; loaded: {', '.join(sorted(loaded))}."
        )
    started = time.perf_counter()
    last = today()
    first = last - dt.timedelta(days=days - 1)
    per_day = day_counts(_stream(random_seed, "days"), count, days, last)
    with (
        bulk_session() as session,
        click.progressbar(length=count, label="Seeding results", file=sys.stderr) as bar,
    ):
        made = make_links(
            session, _stream(random_seed, "links"), rubric, links, first, last, all_linked
        )
        session.commit()
        plan = Plan(rubric, random_seed, tuple(made), 1.0 if all_linked else LINK_SHARE)
        linked = seed_results(session, plan, per_day, jobs, bar.update)
    elapsed = time.perf_counter() - started
    click.echo(
        f"Seeded {count:,} {rubric.id} results ({linked:,} through {len(made)} new quiz links) "
        f"from {first} to {last} in {elapsed:.1f} s."
    )
