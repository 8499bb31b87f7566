"""Comparison with others on the result page, purging old results, and the rubric-quality page."""

import datetime as dt
import html
import statistics

import pytest
from sqlalchemy import func, select

from quizapp.assessment.item_stats import reliability
from quizapp.reporting.item_review import rubric_quality
from quizapp.reporting.stats import Filters
from quizapp.storage import db
from quizapp.storage.models import Result, ResultScore, StatRollup
from tests.conftest import add_link, add_result


def token_of(app, result_id):
    with app.app_context():
        return db.session().get(Result, result_id).token


def add_scored(app, value):
    return add_result(app, None, "mid", {"alpha": value, "beta": value}, value)


def test_no_comparison_below_30_results(app, client):
    ids = [add_scored(app, float(v)) for v in range(1, 30)]  # 29 results
    page = client.get(f"/r/{token_of(app, ids[15])}").get_data(as_text=True)
    assert "How you compare" not in page
    assert "higher than" not in page


def test_comparison_from_30_results(app, client):
    ids = [add_scored(app, float(v)) for v in range(1, 31)]  # overall 1..30
    page = client.get(f"/r/{token_of(app, ids[15])}").get_data(as_text=True)  # overall 16
    # Cut points of overall 1..30 in tenths: 3, 6, ..., 27; five of them are below 16: 50%.
    assert "higher than about <strong>50%</strong> of the 30 or so people" in page
    assert "Alpha: higher than about 50%" in page and "Beta: higher than about 50%" in page


def test_one_new_result_never_moves_the_line_the_same_day(app, client, monkeypatch):
    ids = [add_scored(app, float(v)) for v in range(1, 41)]
    token = token_of(app, ids[20])  # overall 21: 20 of 40 lower, 50%
    before = client.get(f"/r/{token}").get_data(as_text=True)
    assert "higher than about <strong>50%</strong> of the 40 or so people" in before
    for value in (5.0, 35.0, 20.5, 21.5):  # newcomers below and above: the probe
        add_scored(app, value)
        assert client.get(f"/r/{token}").get_data(as_text=True) == before
    # The next day's snapshot counts the newcomers: 22 of 44 lower, still 50%, 40 or so people.
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    monkeypatch.setattr("quizapp.reporting.stats.today", lambda: tomorrow)
    after = client.get(f"/r/{token}").get_data(as_text=True)
    assert "higher than about <strong>50%</strong> of the 40 or so people" in after


def test_purge_dry_run_then_for_real(app, runner):
    today = dt.datetime.now(dt.UTC).date()
    for age in (0, 10, 40, 400):
        add_result(app, None, "mid", day=today - dt.timedelta(days=age))
    dry = runner.invoke(args=["results", "purge", "--older-than", "30", "--dry-run"])
    assert dry.exit_code == 0
    assert f"Would remove 2 results completed before {today - dt.timedelta(days=30)}." in dry.output
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Result)) == 4
    real = runner.invoke(args=["results", "purge", "--older-than", "30"])
    assert f"Removed 2 results completed before {today - dt.timedelta(days=30)}." in real.output
    with app.app_context():
        session = db.session()
        assert session.scalar(select(func.count()).select_from(Result)) == 2
        assert session.scalar(select(func.count()).select_from(ResultScore)) == 4
        kept = session.scalar(
            select(func.sum(StatRollup.n)).where(
                StatRollup.kind == "all", StatRollup.link_key == -1
            )
        )
        assert kept == 2


def test_purge_needs_an_age(app):
    result = app.test_cli_runner().invoke(args=["results", "purge"])
    assert result.exit_code == 1
    assert "Give --older-than DAYS, or set QUIZAPP_RETENTION_DAYS." in result.output


# Alpha answers of five people: a1-a3 plus-keyed, a4 minus-keyed but written so that people who
# agree with a1 also agree with a4: its keyed score runs against the rest.
PEOPLE = [(5, 5, 4, 5), (4, 4, 4, 4), (3, 3, 2, 3), (2, 1, 2, 2), (1, 2, 1, 1)]


def test_quality_matches_a_direct_computation(app):
    for a1, a2, a3, a4 in PEOPLE:
        answers = {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "b1": 3, "b2": 3, "b3": 3, "b4": None}
        add_result(app, None, "mid", answers=answers)
    with app.app_context():
        rubric = app.extensions["quizapp.rubrics"]["mini"]
        report = rubric_quality(db.session(), rubric, Filters(rubric_id="mini"))
    alpha = report.dimensions[0].reliability
    keyed = [
        [(a1 - 1) * 25, (a2 - 1) * 25, (a3 - 1) * 25, (5 - a4) * 25] for a1, a2, a3, a4 in PEOPLE
    ]
    k = 4
    item_var = sum(statistics.variance(col) for col in zip(*keyed, strict=True))
    total_var = statistics.variance([sum(row) for row in keyed])
    assert alpha.n == 5
    assert alpha.alpha == pytest.approx(k / (k - 1) * (1 - item_var / total_var))
    others = [sum(row[:3]) for row in keyed]
    r4 = statistics.correlation([row[3] for row in keyed], others)
    assert abs(alpha.items[3].corrected_item_total - r4) < 1e-9
    assert alpha.items[3].flag == "negative"
    # beta has an unanswered item in every response: no complete cases
    assert report.dimensions[1].reliability.n == 0


def test_quality_page_explains_and_flags(app, staff):
    for a1, a2, a3, a4 in PEOPLE:
        add_result(app, None, "mid", answers={"a1": a1, "a2": a2, "a3": a3, "a4": a4})
    page = staff["root"].get("/admin/quality").get_data(as_text=True)
    assert "Cronbach's alpha" in page
    assert "Check the keying" in page
    assert "Alpha" in page


def test_quality_page_says_the_link_filter_does_not_apply(app, staff):
    link_id, _ = add_link(app, label="Tiny workshop")
    for n, (a1, a2, a3, a4) in enumerate(PEOPLE):
        answers = {"a1": a1, "a2": a2, "a3": a3, "a4": a4}
        add_result(app, link_id if n < 2 else None, "mid", answers=answers)
    everyone = html.unescape(staff["root"].get("/admin/quality").get_data(as_text=True))
    filtered = staff["root"].get(f"/admin/quality?link={link_id}").get_data(as_text=True)
    filtered = html.unescape(filtered)
    for page in (everyone, filtered):
        assert 'name="link"' not in page  # no link control to choose
        assert "one link's group is too small for reliable statistics" in page
        assert "could single people out, so the quiz link filter does not apply here" in page
        assert "(5 complete answers)" in page  # all five people, not the link's two
    assert "The quiz link filter does not apply on this page" not in everyone
    assert (
        "The quiz link filter does not apply on this page: the figures below cover all results "
        "of version 0.1, not only those through “Tiny workshop”." in filtered
    )


def test_quality_statements_carry_their_quiz_numbers(app, staff):
    for n, (a1, a2, a3, a4) in enumerate(PEOPLE):
        answers = {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "b1": a1, "b2": 3, "b3": n + 1, "b4": 2}
        add_result(app, None, "mid", answers=answers)
    page = staff["root"].get("/admin/quality").get_data(as_text=True)
    # Quiz order: a1, b1, a2, b2 in part one, then a3, b3, a4, b4.
    for number, text in ((1, "I like alpha."), (7, "Alpha bores me."), (8, "I avoid beta.")):
        assert f'<span class="qnum">{number}.</span> {text}</td>' in page
    assert page.count("(5 complete answers)") == 2


def test_quality_withholds_a_small_selection_and_a_small_dimension(app, staff):
    for n, (a1, a2, a3, a4) in enumerate(PEOPLE):
        answers = {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "b1": 3, "b2": 3, "b3": 3}
        answers["b4"] = 2 if n == 0 else None  # one person answered every beta statement
        add_result(app, None, "mid", day=dt.date(2026, 5, n + 1), answers=answers)
    page = html.unescape(staff["root"].get("/admin/quality").get_data(as_text=True))
    assert "(5 complete answers)" in page  # alpha
    assert "Fewer than 5 people here answered every statement of this dimension" in page
    assert "I avoid beta." not in page  # beta's statements and their means are not shown
    one_day = staff["root"].get("/admin/quality?since=2026-05-01&until=2026-05-01")
    page = html.unescape(one_day.get_data(as_text=True))
    assert "This selection holds fewer than 5 results, so no quality figures are shown" in page
    assert "complete answer" not in page and "I like alpha." not in page


def test_reliability_agrees_with_the_same_sums():
    rel = reliability(
        "d", ["x", "y"], 3, {"x": 6, "y": 6}, {("x", "x"): 14, ("x", "y"): 14, ("y", "y"): 14}
    )
    assert rel.alpha == 1.0  # identical items


def test_rubric_analyze_command(app, runner):
    for a1, a2, a3, a4 in PEOPLE:
        add_result(app, None, "mid", answers={"a1": a1, "a2": a2, "a3": a3, "a4": a4})
    result = runner.invoke(args=["rubric", "analyze", "mini"])
    assert result.exit_code == 0, result.output
    assert "Alpha: alpha" in result.output and "5 complete answers" in result.output
    a4_line = next(line for line in result.output.splitlines() if line.strip().startswith("a4"))
    assert "r -" in a4_line and "<-" in a4_line
    assert "Beta: alpha n/a, 0 complete answers" in result.output
