"""Group figures a counselor sees: at most three releases (10, 30 and 100 scored responses at
k = 5), each frozen, with keyed noise, cells guarded.

Noise-free tests replace the noise with none, so figures can be worked out by hand. Ten results
through the link, with alpha scores 80, 60, 70, 90, 50 twice: mean 70. Beta has a score in eight
of them (40, 50, 60, 30 twice): mean 180 x 2 / 8 = 45. Two more results outside the link.
"""

import csv
import html
import io
import math
import statistics

import pytest

from quizapp.reporting.disclosure import (
    count_range,
    everyone_size,
    keyed_normal,
    margin,
    members,
    merge_cells,
    noise_key,
    release_rho,
    release_size,
    shown_count,
)
from quizapp.storage import db
from quizapp.storage.models import CohortRelease
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


@pytest.fixture
def no_noise(monkeypatch):
    """The release without its noise, for figures worked out by hand."""
    monkeypatch.setattr("quizapp.reporting.cohort.area_noise", lambda *args: 0.0)
    monkeypatch.setattr("quizapp.reporting.cohort.noisy_count", lambda *args: args[-1])
    monkeypatch.setattr("quizapp.reporting.cohort.keyed_normal", lambda *args: 0.0)


def fill(app, link_id, count, rows=None):
    rows = rows or list(zip(ALPHA, BETA, BANDS, strict=True))
    for alpha, beta, band in (rows * 40)[:count]:
        add_result(app, link_id, band, {"alpha": alpha, "beta": beta})


def csv_rows(client, link_id):
    data = client.get(f"/counselor/links/{link_id}/cohort.csv").get_data(as_text=True)
    return list(csv.reader(io.StringIO(data)))


def as_dict(rows):
    return {(r[0], r[1], r[2]): r[3] for r in rows[1:]}


def test_before_the_first_release_only_a_coarse_count_is_shown(app, staff, link):
    fill(app, link, 9)
    page = staff["anna"].get(f"/counselor/links/{link}").get_data(as_text=True)
    assert "5–9 responses so far" in page
    assert ">9 responses" not in page and " 9 responses" not in page  # never the exact count
    assert "Group figures appear once <strong>10</strong> people" in page
    assert "then again at 30 and at 100" in page
    assert "Fit bands" not in page and "Gaps to plan" not in page
    assert csv_rows(staff["anna"], link) == [
        ["section", "item", "figure", "value"],
        ["group", "responses", "count", "5–9"],
        ["group", "responses the figures cover", "count", "0"],
        ["group", "minimum group size", "count", "5"],
    ]


def test_at_ten_the_first_release_is_made(app, staff, link, no_noise):
    fill(app, link, 10)
    page = html.unescape(staff["anna"].get(f"/counselor/links/{link}").get_data(as_text=True))
    assert "These figures cover the first <strong>10</strong> responses (10–14 so far)" in page
    assert "They are made again when the 30th response arrives, and not before" in page
    assert "within about <strong>±22 points</strong> of the group's true average" in page
    assert 'Alpha</span>\n    <span class="bar-value">70<' in page
    assert 'Beta</span>\n    <span class="bar-value">45<' in page
    assert "About ±22 · everyone: –" in page  # 12 results: everyone's means wait for 100
    assert "The band table appears at 30 responses" in page
    rows = as_dict(csv_rows(staff["anna"], link))
    assert rows[("group", "means within, 9 times in 10", "points")] == "±22"
    assert rows[("band", "all bands", "people")] == "shown from 30 responses"


def test_figures_change_only_at_thirty_and_a_hundred(app, staff, link, no_noise):
    fill(app, link, 10)
    first = csv_rows(staff["anna"], link)
    for n in range(11, 30):
        add_result(app, link, "low", {"alpha": 0.0, "beta": 0.0})
        rows = csv_rows(staff["anna"], link)
        assert rows[2:] == first[2:], n  # only the coarse count moves
    add_result(app, link, "low", {"alpha": 0.0, "beta": 0.0})  # the 30th
    rows = as_dict(csv_rows(staff["anna"], link))
    assert rows[("group", "responses the figures cover", "count")] == "30"
    assert rows[("group", "figures update at", "count")] == "100"
    # alpha over 30: (700 + 20 x 0) / 30 = 23.3 -> 23; beta (360 + 0) / 28 = 12.9 -> 13
    assert rows[("dimension", "Alpha", "group mean")] == "23"
    assert rows[("dimension", "Beta", "group mean")] == "13"
    assert rows[("group", "means within, 9 times in 10", "points")] == "±8"


def test_sittings_scored_on_nothing_never_bring_a_release(app, staff, link, no_noise):
    fill(app, link, 10)
    first = csv_rows(staff["anna"], link)
    for _ in range(40):  # every answer "Not sure": no area scored
        add_result(app, link, None, {"alpha": None, "beta": None}, overall=None)
    rows = csv_rows(staff["anna"], link)
    assert rows[1] == ["group", "responses", "count", "50–54"]
    assert rows[2:] == first[2:]
    with app.app_context():
        assert [r.size for r in db.session().query(CohortRelease)] == [10]


def test_small_band_cells_are_merged_and_nearly_everyone_is_words(app, staff, link, no_noise):
    rows = [(80.0, 80.0, "high")] * 12 + [(60.0, 60.0, "mid")] * 3 + [(30.0, 30.0, "low")] * 15
    fill(app, link, 30, rows)
    released = as_dict(csv_rows(staff["anna"], link))
    assert released[("band", "High fit", "people")] == "12"
    # Middle 3 is under 5, so it joins its neighbours: 3 + 15 + 0 = 18.
    assert (
        released[("band", "Middle fit or Low fit or No band (answers unclear)", "people")] == "18"
    )
    # alpha (12 x 80 + 3 x 60 + 15 x 30) / 30 = 53 (53.0): below 55, a gap for the group
    assert released[("dimension", "Alpha", "group mean")] == "53"
    page = staff["anna"].get(f"/counselor/links/{link}").get_data(as_text=True)
    assert "group average 53" in page and "Practise alpha." in page
    assert merge_cells([("h", 27), ("l", 5)], 5, 30) == [(["h"], 27), (["l"], 5)]
    assert shown_count(27, 30, 5) == (None, "more than 25")


def test_releases_are_frozen_and_the_same_people_always_give_the_same_figures(app, staff, link):
    fill(app, link, 30, [(a, 70.0, "high") for a in (20.0, 40.0, 60.0, 80.0, 90.0)])
    first = csv_rows(staff["anna"], link)
    assert all(csv_rows(staff["anna"], link) == first for _ in range(5))
    page = staff["anna"].get(f"/counselor/links/{link}").get_data(as_text=True)
    mean = as_dict(first)[("dimension", "Alpha", "group mean")]
    assert f'<span class="bar-value">{mean}<' in page
    with app.app_context():
        session = db.session()
        releases = session.query(CohortRelease).all()
        # Two areas, band table shown: rho = 200/507 + 1/162 (see release_rho), at delta 1e-6
        rho = 200 / 507 + 1 / 162
        assert [(r.size, r.epsilon) for r in releases] == [
            (30, round(rho + 2 * math.sqrt(rho * math.log(1e6)), 2))
        ]
        session.delete(releases[0])  # made again from scratch: the same people, the same noise
        session.commit()
    assert csv_rows(staff["anna"], link) == first


def test_keyed_noise_is_a_fixed_normal_function_of_the_people():
    key = noise_key("secret")
    assert members([3, 1, 2]) == members([1, 2, 3]) != members([1, 2, 4])
    assert keyed_normal(key, "mean", members([1, 2])) == keyed_normal(key, "mean", members([2, 1]))
    assert keyed_normal(noise_key("other"), "x") != keyed_normal(key, "x")
    draws = [keyed_normal(key, "draw", str(n)) for n in range(4000)]
    assert abs(statistics.fmean(draws)) < 0.05 and abs(statistics.stdev(draws) - 1) < 0.05


def test_release_sizes_margins_and_the_formal_guarantee_by_hand():
    assert [release_size(n, 5) for n in (9, 10, 29, 30, 99, 100, 5000)] == [
        0,
        10,
        10,
        30,
        30,
        100,
        100,
    ]
    assert [everyone_size(n) for n in (99, 100, 199, 200, 450)] == [0, 100, 100, 200, 400]
    # 1.645 x 130 / n, plus half a point of rounding, rounded up: 21.9, 7.6, 2.6
    assert (margin(10), margin(30), margin(100)) == (22, 8, 3)
    # Two areas, noise variance 130^2 = 16,900 each, half shared: one area at 100 gives
    # (100^2 - 100^2 / 2) / 8,450 + (100^2 / 2) / 25,350 = 400/507; rho is half that.
    assert release_rho(2, bands=False) == pytest.approx(200 / 507)
    # A band count's change of 1 under noise 9 adds 1 / (2 x 81).
    assert release_rho(2, bands=True) == pytest.approx(200 / 507 + 1 / 162)


def test_no_list_of_individual_results_is_ever_shown(app, staff, link):
    fill(app, link, 10)
    page = staff["anna"].get(f"/counselor/links/{link}").get_data(as_text=True)
    assert "/r/" not in page


@pytest.mark.parametrize(
    ("cells", "merged"),
    [
        ([("h", 12), ("m", 7), ("l", 2)], [(["h"], 12), (["m", "l"], 9)]),
        ([("h", 2), ("m", 7), ("l", 12)], [(["h", "m"], 9), (["l"], 12)]),
        ([("h", 5), ("m", 0), ("l", 0)], None),  # everyone in one cell: withheld
        ([("h", 6), ("m", 1), ("l", 6)], [(["h"], 6), (["m", "l"], 7)]),
    ],
)
def test_merging_cells_by_hand(cells, merged):
    assert merge_cells(cells, 5) == merged


def test_counts_are_never_shown_under_k_or_as_everyone():
    assert shown_count(3, 15, 5) == (None, "fewer than 5")
    assert shown_count(11, 15, 5) == (None, "more than 10")
    assert shown_count(10, 15, 5) == (10, "10")
    assert count_range(18, 5) == "15–19" and count_range(4, 5) == "fewer than 5"
