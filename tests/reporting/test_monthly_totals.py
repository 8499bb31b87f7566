"""Monthly running totals: a span of dates sums whole months from the monthly rows and the days
at either end from the daily rows, and gets the same figures as adding up the results."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import create_engine, func, insert, select

from quizapp.reporting.stats import Filters, _spans, rollup_sums, score_values
from quizapp.storage import db
from quizapp.storage.models import StatRollup
from quizapp.storage.results import purge_before
from tests.conftest import add_result, fresh_database_url

D = dt.date
# A result a day across four months, with alpha scores 10, 20, ... 70 in that order.
DAYS = [D(2026, 1, 30), D(2026, 1, 31), D(2026, 2, 1), D(2026, 2, 15), D(2026, 3, 1)]
DAYS += [D(2026, 3, 31), D(2026, 4, 1)]


def test_spans_take_whole_months_and_the_days_at_either_end():
    assert _spans(Filters(since=D(2026, 1, 15), until=D(2026, 4, 10))) == [
        ("/m", D(2026, 2, 1), D(2026, 3, 31)),
        ("", D(2026, 1, 15), D(2026, 1, 31)),
        ("", D(2026, 4, 1), D(2026, 4, 10)),
    ]
    assert _spans(Filters()) == [("/m", None, None)]
    assert _spans(Filters(until=D(2026, 3, 31))) == [("/m", None, D(2026, 3, 31))]
    assert _spans(Filters(since=D(2026, 2, 1))) == [("/m", D(2026, 2, 1), None)]
    assert _spans(Filters(until=D(2026, 3, 30))) == [
        ("/m", None, D(2026, 2, 28)),
        ("", D(2026, 3, 1), D(2026, 3, 30)),
    ]
    # Inside one month, or across a month end without a whole month: days only.
    assert _spans(Filters(since=D(2026, 2, 3), until=D(2026, 2, 20))) == [
        ("", D(2026, 2, 3), D(2026, 2, 20))
    ]
    assert _spans(Filters(since=D(2026, 1, 20), until=D(2026, 2, 10))) == [
        ("", D(2026, 1, 20), D(2026, 2, 10))
    ]
    # Over the year's end, and a leap February.
    assert _spans(Filters(since=D(2025, 12, 31), until=D(2026, 1, 31))) == [
        ("/m", D(2026, 1, 1), D(2026, 1, 31)),
        ("", D(2025, 12, 31), D(2025, 12, 31)),
    ]
    assert _spans(Filters(since=D(2028, 2, 1), until=D(2028, 2, 29))) == [
        ("/m", D(2028, 2, 1), D(2028, 2, 29))
    ]


def store_days(app) -> None:
    for n, day in enumerate(DAYS, start=1):
        add_result(app, None, "mid", scores={"alpha": 10.0 * n, "beta": 50.0}, day=day)


def figures(app, since=None, until=None):
    """(results, alpha's sum, alpha's values) as the dashboard reads them."""
    with app.app_context():
        session = db.session()
        filters = Filters(since=since, until=until)
        sums = rollup_sums(session, filters, ("all", "dim"))
        values = score_values(session, filters)
    count = sums.get(("all", "", 0.0), (0, 0.0))[0]
    return count, sums.get(("dim", "alpha", 0.0), (0, 0.0))[1], values.get("alpha", [])


def test_figures_over_any_span_match_the_results_in_it(app):
    store_days(app)
    # Worked by hand from DAYS: which results fall in the span, and their alpha scores.
    assert figures(app) == (7, 280.0, [(10.0 * n, 1) for n in range(1, 8)])
    assert figures(app, D(2026, 1, 31), D(2026, 3, 31)) == (
        5,
        200.0,  # 20 + 30 + 40 + 50 + 60
        [(20.0, 1), (30.0, 1), (40.0, 1), (50.0, 1), (60.0, 1)],
    )
    assert figures(app, D(2026, 2, 1), D(2026, 2, 28)) == (2, 70.0, [(30.0, 1), (40.0, 1)])
    assert figures(app, D(2026, 2, 2), D(2026, 3, 1)) == (2, 90.0, [(40.0, 1), (50.0, 1)])
    assert figures(app, D(2026, 3, 1)) == (3, 180.0, [(50.0, 1), (60.0, 1), (70.0, 1)])
    assert figures(app, until=D(2026, 1, 30)) == (1, 10.0, [(10.0, 1)])
    assert figures(app, D(2026, 4, 2)) == (0, 0, [])


def monthly_and_summed_daily(session) -> tuple[dict, dict]:
    """The monthly rows, and the same rows added up from the daily ones."""
    t = StatRollup
    group = (t.kind, t.link_key, t.rubric_id, t.rubric_version, t.key, t.value)
    monthly = {
        (kind.removesuffix("/m"), *rest, day): (n, total)
        for kind, *rest, day, n, total in session.execute(
            select(*group, t.day, t.n, t.total).where(t.kind.like("%/m"))
        )
    }
    daily: dict[tuple, list] = {}
    for *key, day, n, total in session.execute(
        select(*group, t.day, t.n, t.total).where(t.kind.not_like("%/m"))
    ):
        cell = daily.setdefault((*key, day.replace(day=1)), [0, 0.0])
        cell[0] += n
        cell[1] += total
    return monthly, {key: tuple(cell) for key, cell in daily.items()}


def test_a_purge_in_the_middle_of_a_month_adds_its_month_up_again(app):
    store_days(app)
    with app.app_context():
        session = db.session()
        monthly, daily = monthly_and_summed_daily(session)
        assert monthly == daily and len(monthly) > 0
        assert purge_before(session, D(2026, 2, 10)) == 3  # 30 and 31 January, 1 February
        monthly, daily = monthly_and_summed_daily(session)
        assert monthly == daily
        assert {day for *_, day in monthly} == {D(2026, 2, 1), D(2026, 3, 1), D(2026, 4, 1)}
    # February now holds only the 15th (alpha 40); January is gone.
    assert figures(app, D(2026, 2, 1), D(2026, 2, 28)) == (1, 40.0, [(40.0, 1)])
    assert figures(app) == (4, 220.0, [(40.0, 1), (50.0, 1), (60.0, 1), (70.0, 1)])


def test_the_migration_adds_up_monthly_rows_for_totals_already_stored(tmp_path, migrated_db):
    from alembic import command

    from quizapp.storage.db import alembic_config

    url = fresh_database_url(tmp_path, migrated_db)
    command.downgrade(alembic_config(url), "0009")
    engine = create_engine(url)
    row = {"link_key": -1, "rubric_id": "mini", "rubric_version": "0.1", "key": "alpha"}
    with engine.begin() as connection:
        connection.execute(
            insert(StatRollup),
            [
                {**row, "kind": "val", "day": D(2026, 5, 3), "value": 40.0, "n": 2, "total": 0.0},
                {**row, "kind": "val", "day": D(2026, 5, 30), "value": 40.0, "n": 1, "total": 0},
                {**row, "kind": "val", "day": D(2026, 6, 1), "value": 40.0, "n": 4, "total": 0},
                {**row, "kind": "dim", "day": D(2026, 5, 3), "value": 0.0, "n": 2, "total": 90},
                {**row, "kind": "dim", "day": D(2026, 5, 9), "value": 0.0, "n": 1, "total": 30},
            ],
        )
    engine.dispose()
    db.upgrade(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        monthly = connection.execute(
            select(StatRollup.kind, StatRollup.day, StatRollup.value, StatRollup.n)
            .add_columns(StatRollup.total)
            .where(StatRollup.kind.like("%/m"))
            .order_by(StatRollup.kind, StatRollup.day)
        ).all()
        assert [tuple(r) for r in monthly] == [
            ("dim/m", D(2026, 5, 1), 0.0, 3, 120.0),
            ("val/m", D(2026, 5, 1), 40.0, 3, 0.0),
            ("val/m", D(2026, 6, 1), 40.0, 4, 0.0),
        ]
        assert connection.scalar(select(func.count()).select_from(StatRollup)) == 8
    engine.dispose()
