"""Dashboard figures on a small dataset whose expected values are worked out by hand.

Each row is stored three times (REPEAT), so that every selection below holds at least
k = 5 results (QUIZAPP_COHORT_MIN_SIZE); means and medians are those of the four rows.

R1 2026-11-02 no link  high overall 80  alpha 90 beta 60    a1=5  s1=x
R2 2026-11-03 link L   mid  overall 60  alpha 70 beta 40    a1=4  s1=y
R3 2026-11-10 link L   low  overall 40  alpha 30 beta 60    a1=2  s1=z
R4 2026-11-11 no link  high overall 75  alpha 80 beta none  a1=ns s1=x
"""

import datetime as dt
import html
import re

import pytest

from quizapp.reporting.dashboard import OTHER_RESULTS, Period, build_dashboard
from quizapp.reporting.stats import Filters
from quizapp.storage import db
from tests.conftest import add_link, add_result, add_user, login

ROWS = [
    (
        dt.date(2026, 11, 2),
        False,
        "high",
        80.0,
        {"alpha": 90.0, "beta": 60.0},
        {"a1": 5, "s1": "x"},
    ),
    (dt.date(2026, 11, 3), True, "mid", 60.0, {"alpha": 70.0, "beta": 40.0}, {"a1": 4, "s1": "y"}),
    (dt.date(2026, 11, 10), True, "low", 40.0, {"alpha": 30.0, "beta": 60.0}, {"a1": 2, "s1": "z"}),
    (
        dt.date(2026, 11, 11),
        False,
        "high",
        75.0,
        {"alpha": 80.0, "beta": None},
        {"a1": None, "s1": "x"},
    ),
]


REPEAT = 3
MINIMUM = 5  # the default QUIZAPP_COHORT_MIN_SIZE


@pytest.fixture
def data(app, staff):
    link_id, _ = add_link(app, label="Autumn workshop")
    for day, via_link, band, overall, scores, answers in ROWS * REPEAT:
        add_result(app, link_id if via_link else None, band, scores, overall, day, answers=answers)
    return link_id


def board(app, **filters):
    """The dashboard's figures for the mini rubric and these filters."""
    with app.app_context():
        rubric = app.extensions["quizapp.rubrics"]["mini"]
        filters = Filters(rubric_id="mini", rubric_version="0.1", **filters)
        return build_dashboard(db.session(), rubric, filters, MINIMUM)


def test_all_results(app, data):
    got = board(app)
    assert got.withheld is None
    assert got.total == 12
    assert got.mean_overall == 63.75  # (80 + 60 + 40 + 75) / 4
    assert [(c.label, c.n) for c in got.bands] == [
        ("High fit", 6),
        ("Middle fit", 3),
        ("Low fit", 3),
    ]
    alpha, beta = got.dimensions
    assert (alpha.n, alpha.mean, alpha.median) == (12, 67.5, 75.0)  # 270 / 4; (70 + 80) / 2
    assert (beta.n, beta.median) == (9, 60.0)  # 40 60 60
    assert beta.mean == pytest.approx(160 / 3)
    link, others = got.links
    assert (link.link.id, link.counselor, link.n, link.mean) == (data, "anna", 6, 50.0)
    assert (others.link, others.label, others.n, others.mean) == (None, OTHER_RESULTS, 6, 77.5)
    assert [(c.name, c.links, c.n, c.mean) for c in got.counselors] == [("anna", 1, 6, 50.0)]
    assert got.weeks == (
        Period(dt.date(2026, 11, 2), dt.date(2026, 11, 2), 6),
        Period(dt.date(2026, 11, 9), dt.date(2026, 11, 9), 6),
    )


def test_date_filter(app, data):
    got = board(app, since=dt.date(2026, 11, 9), until=dt.date(2026, 11, 30))
    assert got.total == 6
    assert got.mean_overall == 57.5  # (40 + 75) / 2
    assert got.dimensions[0].median == 55.0  # (30 + 80) / 2
    assert got.weeks == (Period(dt.date(2026, 11, 9), dt.date(2026, 11, 9), 6),)


def test_link_filter(app, data):
    got = board(app, link_id=data)
    assert got.total == 6
    assert got.dimensions[0].median == 50.0  # (70 + 30) / 2
    assert got.dimensions[1].mean == 50.0


def test_rubric_version_filter(staff, data):
    def results(query):
        page = staff["root"].get(f"/admin/?rubric={query}").get_data(as_text=True)
        return re.search(
            r'<span class="stat-number">([\d,]+)</span><span class="stat-label">result', page
        ).group(1)

    assert results("mini@0.1") == "12"
    empty = staff["root"].get("/admin/?rubric=mini@9.9").get_data(as_text=True)
    assert "This selection holds fewer than 5 results, so no figures are shown" in empty
    assert "stat-number" not in empty


def test_dashboard_page_shows_the_figures(staff, data):
    page = staff["root"].get("/admin/").get_data(as_text=True)
    assert '<span class="stat-number">12</span><span class="stat-label">results</span>' in page
    assert '<span class="stat-number">64</span>' in page  # mean overall 63.75, rounded
    assert 'High fit <span class="hint">(70 to 100)</span>' in page
    assert 'Middle fit <span class="hint">(50 to under 70)</span>' in page
    assert '6 <span class="hint">(50%)</span>' in page
    assert '<td class="num">67.5</td>' in page and '<td class="num">75.0</td>' in page
    # a1: one each of Strongly agree, Agree, Disagree and Not sure -> 25% each, in that row
    row = statement_rows(page)[1]
    assert row[0] == "I like alpha."
    assert row[1] == ["0%", "25%", "0%", "25%", "25%", "25%"]
    assert "(Alpha; 12 answers)" in page
    assert "Do alpha." in page and '6 <span class="hint">(50%)</span>' in page  # x: 6 of 12
    assert "cdn" not in page.lower()


STATEMENT_ROW = re.compile(
    r'<td class="num">(\d+)</td>\s*<td class="statement">(.*?)(?: <span class="hint">|</td>)'
    r"(.*?)</tr>",
    re.S,
)
SHARE_CELL = re.compile(r'<td class="num">(\d+%|\u2013)</td>')
QUIZ_LEGEND = re.compile(r'<legend><span class="qnum">(\d+)\.</span> (.*?)</legend>')
SCENARIO = re.compile(r'<span class="qnum">(\d+)\.</span> (.*?) <span class="hint">')


def statement_rows(page: str) -> dict[int, tuple[str, list[str]]]:
    """The dashboard's statement table: number -> (text, shares as written)."""
    return {
        int(n): (html.unescape(text), SHARE_CELL.findall(rest))
        for n, text, rest in STATEMENT_ROW.findall(page)
    }


def test_questions_are_numbered_as_on_the_quiz_page(staff, data, client):
    quiz = {int(n): html.unescape(t) for n, t in QUIZ_LEGEND.findall(client.get("/quiz").text)}
    page = staff["root"].get("/admin/").get_data(as_text=True)
    numbered = {n: text for n, (text, _) in statement_rows(page).items()}
    numbered |= {int(n): html.unescape(t) for n, t in SCENARIO.findall(page)}
    assert numbered == quiz
    # The sections interleave the dimensions: a1, b1, a2, b2, then a3, b3, a4, b4, then s1.
    assert [numbered[n] for n in (1, 2, 8, 9)] == [
        "I like alpha.",
        "I like beta.",
        "I avoid beta.",
        "What would you most likely do?",
    ]


def test_attention_checks_keep_their_quiz_numbers(tpm_app):
    rubric = tpm_app.extensions["quizapp.rubrics"]["technical-project-manager"]
    add_user(tpm_app, "root", "admin")
    for _ in range(MINIMUM):
        add_result(tpm_app, rubric_id=rubric.id, rubric_version=rubric.version, answers={})
    admin = tpm_app.test_client()
    assert login(admin, "root").status_code == 302
    quiz = tpm_app.test_client().get("/quiz").text
    numbers = {int(n): html.unescape(t) for n, t in QUIZ_LEGEND.findall(quiz)}
    assert len(numbers) == rubric.question_count
    page = admin.get("/admin/").text
    rows = statement_rows(page)
    shown = {n: text for n, (text, _) in rows.items()}
    shown |= {int(n): html.unescape(t) for n, t in SCENARIO.findall(page)}
    assert shown == numbers
    for check in rubric.checks:
        number = rubric.question_numbers[check.id]
        assert numbers[number] == check.text
        assert rows[number][1] == []  # no shares: a check's answers are not counted
        row = page[page.index(f'<td class="num">{number}</td>') :]
        assert row.index("Attention check: not scored") < row.index("</tr>")


def test_singular_counts_read_naturally(staff, app):
    link_id, _ = add_link(app, label="Autumn workshop")
    for _ in range(MINIMUM):
        add_result(app, link_id, "high", day=dt.date(2026, 11, 2), answers={"a1": 5, "s1": "x"})
    page = staff["root"].get(f"/admin/?link={link_id}").get_data(as_text=True)
    for label in ("quiz link shown on its own", "week covered"):
        assert f'<span class="stat-number">1</span><span class="stat-label">{label}</span>' in page
    assert '<span class="stat-number">5</span><span class="stat-label">results</span>' in page


def test_charts_have_axes_and_every_value_in_text(staff, data):
    page = staff["root"].get("/admin/").get_data(as_text=True)
    weeks = page[page.index('aria-labelledby="weeks-title"') : page.index('id="bands-title"')]
    assert 'viewBox="0 0 360 210" width="100%"' in weeks
    assert ">Results</text>" in weeks and ">Week starting (2026)</text>" in weeks
    assert ">0</text>" in weeks and ">6</text>" in weeks  # value axis 0, 2, 4, 6 (six a week)
    assert ">2 Nov</text>" in weeks and ">9 Nov</text>" in weeks  # the weeks' first days
    assert '<td>2 Nov 2026</td><td class="num">6</td>' in weeks
    spread = page[page.index('id="spread-title"') : page.index('id="questions-title"')]
    assert spread.count("<svg") == 2  # one histogram per dimension
    assert ">Score</text>" in spread and ">100</text>" in spread
    # alpha 30, 70, 80, 90: three people in each of these ranges, on the chart and in the table
    alpha = re.search(r"<th scope=\"row\">Alpha</th>(.*?)</tr>", spread).group(1)
    assert re.findall(r'<td class="num">(\d+)</td>', alpha) == [
        "0", "0", "0", "3", "0", "0", "0", "3", "3", "3"
    ]  # fmt: skip
    assert ">30 to under 40</th>" in spread and ">90 to 100</th>" in spread


def test_invalid_filter_is_explained_not_fatal(staff, data):
    response = staff["root"].get("/admin/?since=2026-11-20&until=2026-11-01")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The end date is before the start date, so no dates are applied." in page
    assert '<span class="stat-number">12</span>' in page  # all twelve results, not none


@pytest.mark.parametrize(
    "query",
    ["_method=POST", "_external=1&_scheme=javascript", "name=x&fmt=y", "bom=1", "_anchor=x%22"],
)
def test_only_the_filters_reach_the_export_links(app, staff, query):
    """Anything else in the address (url_for's own _method, _scheme and the like, or the export
    route's own parts) is left out of the links: no 500, no foreign scheme."""
    page = staff["root"].get(f"/admin/?{query}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "javascript:" not in text and "/admin/export/x.y" not in text
    assert 'href="/admin/export/codebook.csv"' in text


@pytest.mark.parametrize("link", ["%25", "%C3%A9", "[]", "x", "99999"])
def test_a_link_filter_that_is_no_link_is_ignored_and_said(app, staff, link):
    """Not one of the choices: the filter is left out and the form says why, never a 500."""
    for path in ("/admin/", "/admin/quality", "/admin/export/codebook.csv"):
        response = staff["root"].get(f"{path}?link={link}")
        assert response.status_code == 200, (path, response.status_code)
    page = staff["root"].get(f"/admin/?link={link}").get_data(as_text=True)
    assert "Not a valid choice" in page
