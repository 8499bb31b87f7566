"""Group figures a counselor sees: released in blocks of k (5 here), frozen, noisy, cells guarded.

Noise-free tests replace the noise with none, so figures can be worked out by hand. Five results
through the link, with alpha scores 80, 60, 70, 90, 50: mean 70; mean distance from it
(10 + 10 + 0 + 20 + 20) / 5 = 12. Beta has a score in only four of them, so it is hidden. Two
more results outside the link score alpha 40 and 40: everyone's alpha is (350 + 80) / 7 = 61.4.
"""

import csv
import html
import io

import pytest

from quizapp import db
from quizapp.disclosure import count_range, merge_cells, shown_count
from quizapp.models import CohortRelease
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
    monkeypatch.setattr("quizapp.cohort.noisy_counts", lambda counts, scale: list(counts))
    monkeypatch.setattr("quizapp.cohort.noisy_sums", lambda sums, scale: list(sums))


def fill(app, link_id, count, rows=None):
    rows = rows or list(zip(ALPHA, BETA, BANDS, strict=True))
    for alpha, beta, band in (rows * 10)[:count]:
        add_result(app, link_id, band, {"alpha": alpha, "beta": beta})


def csv_rows(client, link_id):
    data = client.get(f"/counselor/links/{link_id}/cohort.csv").get_data(as_text=True)
    return list(csv.reader(io.StringIO(data)))


def as_dict(rows):
    return {(r[0], r[1], r[2]): r[3] for r in rows[1:]}


def test_below_k_only_a_coarse_count_is_shown(app, staff, link):
    fill(app, link, 4)
    page = staff["anna"].get(f"/counselor/links/{link}").get_data(as_text=True)
    assert "Fewer than 5 responses so far" in page
    assert "4 responses" not in page  # the exact count is never shown
    assert "Group figures appear once <strong>5</strong> people" in page
    assert "Fit bands" not in page and "Most common gaps" not in page
    assert csv_rows(staff["anna"], link) == [
        ["section", "item", "figure", "value"],
        ["group", "responses", "count", "fewer than 5"],
        ["group", "responses the figures cover", "count", "0"],
        ["group", "minimum group size", "count", "5"],
    ]


def test_at_k_the_first_block_is_released(app, staff, link, no_noise):
    fill(app, link, 5)
    page = staff["anna"].get(f"/counselor/links/{link}").get_data(as_text=True)
    assert "These figures cover the first <strong>5</strong> responses (5–9 so far)" in page
    assert "They update when the 10th response arrives" in page
    assert 'Alpha</span>\n    <span class="bar-value">70<' in page
    assert "Spread ±12 · everyone: 61" in page
    assert 'Beta</span><span class="bar-value hint">hidden: fewer than 5 scored' in page
    # Bands high 4, low 1: merging small cells leaves one cell (everyone), so none is shown.
    assert "too alike to show without singling people out" in page


def test_figures_change_only_when_a_whole_block_arrives(app, staff, link, no_noise):
    fill(app, link, 5)
    first = csv_rows(staff["anna"], link)
    for n in range(6, 10):
        add_result(app, link, "low", {"alpha": 0.0, "beta": 0.0})
        rows = csv_rows(staff["anna"], link)
        assert rows[1:] == [["group", "responses", "count", "5–9"], *first[2:]], n
    add_result(app, link, "low", {"alpha": 0.0, "beta": 0.0})  # the 10th
    rows = as_dict(csv_rows(staff["anna"], link))
    assert rows[("group", "responses the figures cover", "count")] == "10"
    assert rows[("group", "responses", "count")] == "10–14"
    # alpha over 10: (350 + 5 x 0) / 10 = 35
    assert rows[("dimension", "Alpha", "group mean")] == "35"


def test_small_band_cells_are_merged_and_whole_numbers_shown(app, staff, link, no_noise):
    rows = [(80.0, 80.0, "high")] * 6 + [(60.0, 60.0, "mid")] * 3 + [(30.0, 30.0, "low")] * 6
    fill(app, link, 15, rows)
    released = as_dict(csv_rows(staff["anna"], link))
    assert released[("band", "High fit", "people")] == "6"
    # Middle 3 is under 5, so it joins its neighbour: 3 + 6 = 9.
    assert released[("band", "Middle fit or Low fit or No band (answers unclear)", "people")] == "9"
    # alpha (6 x 80 + 3 x 60 + 6 x 30) / 15 = 56; gaps (below 55): the six at 30, between 5 and 10.
    assert released[("dimension", "Alpha", "group mean")] == "56"
    assert released[("dimension", "Alpha", "people with this as a gap")] == "6"
    page = staff["anna"].get(f"/counselor/links/{link}").get_data(as_text=True)
    assert "about 6 of 15 people" in page and "Practise alpha." in page


def test_releases_are_frozen_so_reloading_gains_nothing(app, staff, link):
    fill(app, link, 15, [(a, 70.0, "high") for a in (20.0, 40.0, 60.0, 80.0, 90.0)])
    first = csv_rows(staff["anna"], link)
    assert all(csv_rows(staff["anna"], link) == first for _ in range(5))
    page = staff["anna"].get(f"/counselor/links/{link}").get_data(as_text=True)
    mean = as_dict(first)[("dimension", "Alpha", "group mean")]
    assert f'<span class="bar-value">{mean}<' in page
    with app.app_context():
        releases = db.session().query(CohortRelease).all()
        assert [(r.size, r.epsilon) for r in releases] == [(15, 60.0)]


def test_no_list_of_individual_results_is_ever_shown(app, staff, link):
    fill(app, link, 5)
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


def test_a_link_stops_releasing_once_its_budget_is_spent(app, staff, link, no_noise):
    # 60 per release, 120 per link: two releases, then the figures stay as they are.
    app.config["COHORT_LINK_EPSILON"] = 120.0
    anna = staff["anna"]
    fill(app, link, 5)
    anna.get(f"/counselor/links/{link}")  # release 1: the first 5
    fill(app, link, 5)
    anna.get(f"/counselor/links/{link}")  # release 2: the first 10
    fill(app, link, 5)
    rows = as_dict(csv_rows(anna, link))  # 15 responses, but no third release
    assert rows[("group", "responses", "count")] == "15–19"
    assert rows[("group", "responses the figures cover", "count")] == "10"
    assert rows[("group", "figures update at", "count")] == "never: budget used up"
    page = anna.get(f"/counselor/links/{link}").get_data(as_text=True)
    assert "This link's privacy budget is used up, so they stay as they are" in html.unescape(page)
    with app.app_context():
        assert [r.size for r in db.session().query(CohortRelease).order_by("size")] == [5, 10]
