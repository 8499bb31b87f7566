"""Cohort results: aggregates a counselor sees, and the small-group rule (K = 5 here).

Five results through the link, with alpha scores 80, 60, 70, 90, 50: mean 70; population
standard deviation sqrt((100 + 100 + 0 + 400 + 400) / 5) = sqrt(200) = 14.14. Beta has a score in
only four of them, so its figures are hidden. Two more results outside the link score alpha 40 and
40, so everyone's alpha mean is (350 + 80) / 7 = 61.43.
"""

import csv
import io

import pytest

from tests.conftest import add_link, add_result

ALPHA = [80.0, 60.0, 70.0, 90.0, 50.0]
BETA = [40.0, 50.0, 60.0, None, 30.0]
BANDS = ["high", "high", "high", "high", "low"]


@pytest.fixture
def link(app, staff):
    link_id, _ = add_link(app)
    add_result(app, None, "low", {"alpha": 40.0, "beta": 40.0})
    add_result(app, None, "low", {"alpha": 40.0, "beta": 40.0})
    return link_id


def fill(app, link_id, count):
    for alpha, beta, band in list(zip(ALPHA, BETA, BANDS, strict=True))[:count]:
        add_result(app, link_id, band, {"alpha": alpha, "beta": beta})


def test_below_k_only_the_count_is_shown(app, staff, link):
    fill(app, link, 4)
    page = staff["anna"].get(f"/counselor/links/{link}").get_data(as_text=True)
    assert "4 responses so far" in page
    assert "Group figures appear once at least <strong>5</strong> people" in page
    assert "Fit bands" not in page and "Most common gaps" not in page
    rows = list(
        csv.reader(
            io.StringIO(
                staff["anna"].get(f"/counselor/links/{link}/cohort.csv").get_data(as_text=True)
            )
        )
    )
    assert rows == [
        ["section", "item", "figure", "value"],
        ["group", "responses", "count", "4"],
        ["group", "minimum group size", "count", "5"],
    ]


def test_at_k_the_aggregates_appear(app, staff, link):
    fill(app, link, 5)
    page = staff["anna"].get(f"/counselor/links/{link}").get_data(as_text=True)
    assert "5 responses." in page
    # alpha: mean 70, spread 14, everyone 61
    assert 'Alpha</span>\n    <span class="bar-value">70<' in page
    assert "Spread ±14 · everyone: 61" in page
    # beta has only four scores: hidden
    assert 'Beta</span><span class="bar-value hint">hidden: fewer than 5 scored' in page
    # bands: high 4 and low 1 are both under 5, so both are hidden (and middle, 0)
    assert page.count("fewer than 5</span></td>") == 3


def test_a_breakdown_cell_under_k_is_hidden(app, staff, link):
    fill(app, link, 5)
    for _ in range(2):
        add_result(app, link, "high", {"alpha": 75.0, "beta": 75.0})  # high: 6, low: 1
    data = staff["anna"].get(f"/counselor/links/{link}/cohort.csv").get_data(as_text=True)
    rows = {(r[0], r[1], r[2]): r[3] for r in csv.reader(io.StringIO(data))}
    assert rows[("band", "High fit", "people")] == "6"
    assert rows[("band", "Low fit", "people")] == "hidden (fewer than minimum)"
    assert rows[("band", "Middle fit", "people")] == "hidden (fewer than minimum)"
    # alpha over 7: (350 + 150) / 7 = 71.43; beta over 6: (180 + 150) / 6 = 55.0
    assert rows[("dimension", "Alpha", "group mean")] == "71.4"
    assert rows[("dimension", "Beta", "group mean")] == "55.0"
    # everyone (9 results): alpha (500 + 80) / 9 = 64.44
    assert rows[("dimension", "Alpha", "everyone's mean")] == "64.4"
    # beta below 55 for 40, 50, 30 -> 3 people: hidden
    assert rows[("dimension", "Beta", "people with this as a gap")] == "hidden (fewer than minimum)"


def test_a_single_hidden_cell_takes_the_next_smallest_with_it():
    from quizapp.cohort import protect

    cells = protect([12, 7, 2], 5)
    assert [c.hidden for c in cells] == [False, True, True]
    assert cells[0].value == 12


def test_common_gaps_come_with_next_steps(app, staff, link):
    for _ in range(5):
        add_result(app, link, "low", {"alpha": 30.0, "beta": 80.0})
    page = staff["anna"].get(f"/counselor/links/{link}").get_data(as_text=True)
    assert "5 of 5 people" in page
    assert "Practise alpha." in page


def test_no_list_of_individual_results_is_ever_shown(app, staff, link):
    fill(app, link, 5)
    page = staff["anna"].get(f"/counselor/links/{link}").get_data(as_text=True)
    assert "/r/" not in page
