"""Dashboard figures on a small dataset whose expected values are worked out by hand.

R1 2026-11-02 no link  high overall 80  alpha 90 beta 60    a1=5  s1=x
R2 2026-11-03 link L   mid  overall 60  alpha 70 beta 40    a1=4  s1=y
R3 2026-11-10 link L   low  overall 40  alpha 30 beta 60    a1=2  s1=z
R4 2026-11-11 no link  high overall 75  alpha 80 beta none  a1=ns s1=x
"""

import csv
import datetime as dt
import io

import pytest

from tests.conftest import add_link, add_result

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


@pytest.fixture
def data(app, staff):
    link_id, _ = add_link(app, label="Autumn workshop")
    for day, via_link, band, overall, scores, answers in ROWS:
        add_result(app, link_id if via_link else None, band, scores, overall, day, answers=answers)
    return link_id


def summary(client, query=""):
    text = client.get(f"/admin/export/summary.csv{query}").get_data(as_text=True)
    return {(r[0], r[1], r[3]): r[4] for r in csv.reader(io.StringIO(text))}


def test_all_results(staff, data):
    got = summary(staff["root"])
    assert got[("total", "results", "count")] == "4"
    assert got[("total", "overall", "mean")] == "63.75"  # (80 + 60 + 40 + 75) / 4
    assert got[("band", "High fit", "count")] == "2"
    assert got[("band", "Middle fit", "count")] == "1"
    assert got[("band", "Low fit", "count")] == "1"
    assert got[("dimension", "alpha", "count")] == "4"
    assert got[("dimension", "alpha", "mean")] == "67.5"  # 270 / 4
    assert got[("dimension", "alpha", "median")] == "75.0"  # 30 70 | 80 90 -> (70 + 80) / 2
    assert got[("dimension", "beta", "count")] == "3"
    assert got[("dimension", "beta", "mean")] == "53.33"  # 160 / 3
    assert got[("dimension", "beta", "median")] == "60.0"  # 40 60 60
    assert got[("link", str(data), "count")] == "2"
    assert got[("link", str(data), "mean overall")] == "50.0"
    assert got[("counselor", "anna", "links")] == "1"
    assert got[("week", "2026-11-02", "count")] == "2"
    assert got[("week", "2026-11-09", "count")] == "2"


def test_date_filter(staff, data):
    got = summary(staff["root"], "?since=2026-11-09&until=2026-11-30")
    assert got[("total", "results", "count")] == "2"
    assert got[("total", "overall", "mean")] == "57.5"  # (40 + 75) / 2
    assert got[("dimension", "alpha", "median")] == "55.0"  # (30 + 80) / 2
    assert ("week", "2026-11-02", "count") not in got


def test_link_filter(staff, data):
    got = summary(staff["root"], f"?link={data}")
    assert got[("total", "results", "count")] == "2"
    assert got[("dimension", "alpha", "median")] == "50.0"  # (70 + 30) / 2, counted from raw scores
    assert got[("dimension", "beta", "mean")] == "50.0"


def test_rubric_version_filter(staff, data):
    assert summary(staff["root"], "?rubric=mini@0.1")[("total", "results", "count")] == "4"
    assert summary(staff["root"], "?rubric=mini@9.9")[("total", "results", "count")] == "0"


def test_dashboard_page_shows_the_figures(staff, data):
    page = staff["root"].get("/admin/").get_data(as_text=True)
    assert '<span class="stat-number">4</span>' in page
    assert '<span class="stat-number">64</span>' in page  # mean overall 63.75, rounded
    assert "High fit</span>" in page and '2 <span class="hint">(50%)</span>' in page
    assert '<td class="num">67.5</td>' in page and '<td class="num">75.0</td>' in page
    # a1: one each of Strongly agree, Agree, Disagree and Not sure -> 25% each
    assert (
        "Strongly disagree 0%; Disagree 25%; Neither agree nor disagree 0%; Agree 25%; Strongly agree 25%; Not sure 25%"
        in page
    )
    assert "Do alpha.: 50%" in page  # scenario option x chosen by 2 of 4
    assert "Autumn workshop" in page
    assert "<svg" in page and "cdn" not in page.lower()


def test_invalid_filter_is_explained_not_fatal(staff, data):
    response = staff["root"].get("/admin/?since=2026-11-20&until=2026-11-01")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The end date is before the start date, so no dates are applied." in page
    assert '<span class="stat-number">4</span>' in page  # all four results, not none
