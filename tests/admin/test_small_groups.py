"""Admins obey the counselors' small-group rule: no figure and no export for fewer than k results.

The privacy review's attacks, played through the dashboard, every export format on the web and
every ``flask export`` command: a one-result link (``?link=``), a link of k or more results
narrowed to a day that holds one of them, and a day alone. Each selection holds one person,
whose scores and answers are chosen to be recognisable; none of them may reach the admin.

With k = 5 (the default QUIZAPP_COHORT_MIN_SIZE) the stored results are:

- link "Spring cohort" (anna): five results on 6-10 April 2026, and SECOND on 13 May;
- five results without a link on 20-24 April;
- link "Ms Jones, one to one" (ben): FIRST alone, on 6 May.
"""

import datetime as dt
import html
import re

import pytest

from quizapp.reporting.dashboard import OTHER_RESULTS, LinkRow, Period, link_rows, pooled_weeks
from tests.conftest import add_link, add_result

K = 5
FIRST = {"overall": 87.3, "scores": {"alpha": 93.7, "beta": 12.9}, "answers": {"a1": 1, "s1": "z"}}
SECOND = {"overall": 21.9, "scores": {"alpha": 8.1, "beta": 36.3}, "answers": {"a1": 5, "s1": "z"}}
THEIR_FIGURES = ("87.3", "93.7", "12.9", "21.9", "8.1", "36.3")
EVERYONE = {"answers": {"a1": 4, "s1": "x"}}
WEB_EXPORTS = [
    "results.csv",
    "results.csv?bom=1",
    "results.json",
    "results.xlsx",
    "summary.csv",
    "summary.json",
]
CLI_EXPORTS = [
    ("results", "csv"),
    ("results", "json"),
    ("results", "xlsx"),
    ("summary", "csv"),
    ("summary", "json"),
]


@pytest.fixture
def world(app, staff) -> dict[str, int]:
    cohort, _ = add_link(app, label="Spring cohort", owner="anna")
    one_to_one, _ = add_link(app, label="Ms Jones, one to one", owner="ben")
    for n in range(5):
        day = dt.date(2026, 4, 6 + n)
        add_result(app, cohort, "mid", {"alpha": 50.0 + n, "beta": 60.0}, 55.0 + n, day, **EVERYONE)
        day = dt.date(2026, 4, 20 + n)
        add_result(app, None, "mid", {"alpha": 65.0, "beta": 40.0 + n}, 62.0 + n, day, **EVERYONE)
    add_result(app, one_to_one, "high", day=dt.date(2026, 5, 6), **FIRST)
    add_result(app, cohort, "low", day=dt.date(2026, 5, 13), **SECOND)
    return {"cohort": cohort, "one_to_one": one_to_one}


def attacks(world) -> dict[str, tuple[str, str]]:
    """Each attack: its query string, and what the reason advises."""
    return {
        "one-result link": (f"link={world['one_to_one']}", "Choose another link."),
        "big link, one day": (
            f"link={world['cohort']}&since=2026-05-13&until=2026-05-13",
            "Widen the dates or choose another link.",
        ),
        "big link, since a day": (
            f"link={world['cohort']}&since=2026-05-01",
            "Widen the dates or choose another link.",
        ),
        "one day alone": ("since=2026-05-06&until=2026-05-06", "Widen the dates."),
        "a week holding both": ("since=2026-05-04&until=2026-05-17", "Widen the dates."),
        "nothing at all": ("since=2030-01-01", "Widen the dates."),
    }


ATTACKS = [
    "one-result link",
    "big link, one day",
    "big link, since a day",
    "one day alone",
    "a week holding both",
    "nothing at all",
]
SHOWN = f"This selection holds fewer than {K} results, so no figures are shown: with so few "
SHOWN += "people, figures would describe individuals."
REFUSED = f"This selection holds fewer than {K} results, so it cannot be exported"


def main_text(page: str) -> str:
    """The words between the filters and the privacy settings, without tags or addresses."""
    start = page.index("</form>", page.index('class="filters panel"'))
    end = page.index('aria-labelledby="privacy-title"')
    return html.unescape(re.sub(r"<[^>]*>", " ", page[start:end]))


@pytest.mark.parametrize("attack", ATTACKS)
def test_the_dashboard_shows_only_the_reason(staff, world, attack):
    query, advice = attacks(world)[attack]
    page = staff["root"].get(f"/admin/?{query}").get_data(as_text=True)
    text = main_text(page)
    assert f"{SHOWN} {advice}" in " ".join(text.split())
    assert set(re.findall(r"\d+", text)) == {str(K)}  # no count, mean or share: only k
    for figure in THEIR_FIGURES:
        assert figure not in page
    for sign in ("stat-number", "answers-table", "by-link", "by-counselor", "<svg class"):
        assert sign not in page
    for answer in ("Strongly disagree", "Strongly agree", "Do nothing."):
        assert answer not in page  # no answer counts


@pytest.mark.parametrize("attack", ATTACKS)
def test_every_export_is_refused_on_the_web(staff, world, attack):
    query, advice = attacks(world)[attack]
    for path in WEB_EXPORTS:
        joined = "&" if "?" in path else "?"
        response = staff["root"].get(f"/admin/export/{path}{joined}{query}")
        assert response.status_code == 403, path
        body = response.get_data(as_text=True)
        assert REFUSED in body and advice in body, path
        for figure in THEIR_FIGURES:
            assert figure not in body
    # The codebook says nothing about people: it stays allowed.
    codebook = staff["root"].get(f"/admin/export/codebook.csv?{query}")
    assert codebook.status_code == 200
    assert codebook.get_data(as_text=True).startswith("column,kind,")


CLI_FILTERS = {
    "one-result link": lambda w: ["--link", str(w["one_to_one"])],
    "big link, one day": lambda w: [
        *("--link", str(w["cohort"])),
        *("--since", "2026-05-13", "--until", "2026-05-13"),
    ],
    "one day alone": lambda w: ["--since", "2026-05-06", "--until", "2026-05-06"],
    "nothing at all": lambda w: ["--since", "2030-01-01"],
}


@pytest.mark.parametrize("attack", list(CLI_FILTERS))
def test_every_export_is_refused_on_the_command_line(app, world, attack, tmp_path):
    runner = app.test_cli_runner()
    filters = CLI_FILTERS[attack](world)
    for name, fmt in CLI_EXPORTS:
        out = tmp_path / f"{name}.{fmt}"
        args = ["export", name, "--format", fmt, *filters]
        for target in ([], ["-o", str(out)]) if fmt != "xlsx" else (["-o", str(out)],):
            result = runner.invoke(args=[*args, *target])
            assert result.exit_code == 1, (name, fmt, result.output)
            assert f"Error: {REFUSED}" in result.output
            assert not any(figure in result.output for figure in THEIR_FIGURES)
            assert not out.exists()
    codebook = runner.invoke(args=["export", "codebook", *filters])
    assert codebook.exit_code == 0 and codebook.output.startswith("column,kind,")


def test_a_selection_of_k_or_more_still_shows_its_figures(staff, world):
    page = staff["root"].get(f"/admin/?link={world['cohort']}").get_data(as_text=True)
    assert SHOWN not in page
    assert '<span class="stat-number">6</span><span class="stat-label">results</span>' in page
    assert "(Alpha; 6 answers)" in page  # the answer counts are there
    assert 'class="answers-table"' in page and "by-link" in page
    for path in WEB_EXPORTS:
        joined = "&" if "?" in path else "?"
        response = staff["root"].get(f"/admin/export/{path}{joined}link={world['cohort']}")
        assert response.status_code == 200, path
        assert response.get_data(), path
    rows = staff["root"].get(f"/admin/export/results.json?link={world['cohort']}").get_json()
    assert len(rows) == 6 and {r["link_label"] for r in rows} == {"Spring cohort"}


def section(page: str, title: str) -> str:
    start = page.index(f'aria-labelledby="{title}"')
    return page[start : page.index("</section>", start)]


def test_the_unfiltered_dashboard_pools_small_links_and_weeks(staff, world):
    page = staff["root"].get("/admin/").get_data(as_text=True)
    assert '<span class="stat-number">12</span><span class="stat-label">results</span>' in page
    links = section(page, "links-title")
    assert "Spring cohort" in links and "Ms Jones" not in links
    rows = re.findall(r'<td class="num">([^<]*)</td>', links)
    assert rows[0] == "6" and rows[2] == "6"  # the cohort's six, and the other six together
    assert OTHER_RESULTS in html.unescape(links)
    counselors = section(page, "counselors-title")
    assert "anna" in counselors and "ben" not in counselors
    weeks = section(page, "weeks-title")
    # 6 Apr: 5; 13 Apr to 11 May: 0 + 5 + 0 + 1 + 1 (the last weeks join the run before)
    assert '<td>6 Apr 2026</td><td class="num">5</td>' in weeks
    assert '<td>13 Apr 2026 to 11 May 2026</td><td class="num">7</td>' in weeks
    assert '<td class="num">1</td>' not in weeks and '<td class="num">0</td>' not in weeks
    summary = staff["root"].get("/admin/export/summary.json").get_json()
    assert {(r["key"], r["value"]) for r in summary if r["section"] == "week"} == {
        ("2026-04-06", 5),
        ("2026-04-13", 7),
    }
    assert not any("Jones" in str(r["label"]) for r in summary)


def test_a_row_of_the_unfiltered_export_does_not_name_the_small_link(staff, world):
    rows = staff["root"].get("/admin/export/results.json").get_json()
    first = next(r for r in rows if r["overall"] == FIRST["overall"])
    assert (first["link_id"], first["link_label"], first["counselor"]) == (None, None, None)


def row(link_id: int | None, n: int, total: float) -> tuple:
    return (link_id, f"counselor of {link_id}", n, total)


def test_other_results_never_number_1_to_k_minus_1():
    """Other results = total - rows shown: when they would be fewer than k, the smallest
    shown link joins them, so no figure about them can be worked out by subtraction."""
    links = [row(1, 9, 900.0), row(2, 6, 300.0), row(3, 2, 100.0)]
    # 20 results: links 1 and 2 leave 5 others (link 3's two and three without a link).
    shown = link_rows(links, 20, 1500.0, K)
    assert [(r.link, r.n) for r in shown] == [(1, 9), (2, 6), (None, 5)]
    assert shown[-1].mean == 300.0 / 5
    # 17 results: they would leave 2 others, so link 2 joins them.
    shown = link_rows(links, 17, 1300.0, K)
    assert [(r.link, r.n) for r in shown] == [(1, 9), (None, 8)]
    # Only link 1 and one other: nothing can be shown on its own.
    assert link_rows([row(1, 9, 900.0)], 10, 950.0, K) == ()
    # Every result through shown links: no row of others.
    assert link_rows([row(1, 9, 900.0)], 9, 900.0, K) == (LinkRow(1, "counselor of 1", 9, 900.0),)


def test_weeks_are_pooled_until_each_run_holds_k():
    monday = dt.date(2026, 4, 6)
    weeks = [(monday + dt.timedelta(weeks=i), n) for i, n in enumerate([6, 2, 0, 3, 5, 1])]
    assert pooled_weeks(weeks, K) == (
        Period(weeks[0][0], weeks[0][0], 6),
        Period(weeks[1][0], weeks[3][0], 5),
        Period(weeks[4][0], weeks[5][0], 6),  # the short last run joins the one before
    )
    assert pooled_weeks([(monday, 5)], K) == (Period(monday, monday, 5),)
