"""Chart geometry (quizapp/charts.py) against values worked out by hand."""

import pytest

from quizapp.reporting.charts import (
    CHAR,
    FONT,
    axis_ticks,
    column_chart,
    every_nth,
    nice_step,
    stacked,
    tick_label,
)


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (0, (0, 1)),  # nothing to show: still one step, so the axis has a scale
        (1, (0, 1)),  # counts never get fractional ticks
        (3, (0, 1, 2, 3)),  # 3 / 4 = 0.75 -> step 1
        (7, (0, 2, 4, 6, 8)),  # 7 / 4 = 1.75 -> step 2, up to the first tick at or above 7
        (8, (0, 2, 4, 6, 8)),  # 8 / 4 = 2 -> step 2 exactly
        (10, (0, 5, 10)),  # 10 / 4 = 2.5, but 2.5 is no count -> step 5
        (45, (0, 20, 40, 60)),  # 11.25 -> 2 x 10
        (100, (0, 25, 50, 75, 100)),  # 25 = 2.5 x 10 is a whole number, so allowed
        (123, (0, 50, 100, 150)),  # 30.75 -> 5 x 10
        (2600, (0, 1000, 2000, 3000)),  # 650 -> 1 x 1000
    ],
)
def test_count_axes_end_on_a_round_number_at_or_above_the_top(top, ticks):
    assert axis_ticks(top) == ticks


def test_fractional_axes_may_use_fractions():
    assert nice_step(1, whole=False) == 0.25  # 1 / 4 = 0.25 = 2.5 x 0.1
    assert axis_ticks(0.9, whole=False) == (0, 0.25, 0.5, 0.75, 1)
    assert axis_ticks(0.3, whole=False) == (0, 0.1, 0.2, 0.3)  # 0.075 -> 1 x 0.1


def test_tick_labels_are_written_like_the_page_writes_numbers():
    assert [tick_label(v) for v in (0, 1000, 2500.0, 0.25)] == ["0", "1,000", "2,500", "0.25"]


def test_labels_are_thinned_until_they_do_not_touch():
    # "14 Sep" is 6 characters: 6 x CHAR + FONT / 2 = 50.64 units wide.
    assert pytest.approx(50.64) == 6 * CHAR + FONT / 2
    assert every_nth(60, ["14 Sep"]) == 1
    assert every_nth(30, ["14 Sep"]) == 2  # 50.64 / 30 -> every second label
    assert every_nth(16, ["14 Sep"]) == 4  # 50.64 / 16 = 3.2 -> every fourth


def test_two_columns_by_hand():
    chart = column_chart([("a", 3), ("b", 7)], x_title="Week", y_title="Results")
    # Value axis 0, 2, 4, 6, 8: one-character labels, so the plot starts at 7.44 + 10.
    assert chart.left == 17.44
    assert (chart.top, chart.bottom) == (32, 168)  # 2 x 12 + 8; 210 - (2 x 12 + 18)
    assert chart.right == 352  # 360 - 8
    assert [t.label for t in chart.y_ticks] == ["0", "2", "4", "6", "8"]
    # 136 units of height for 8: 17 per result, ticks every 34 units from the bottom.
    assert [t.at for t in chart.y_ticks] == [168, 134, 100, 66, 32]
    # Two slots of (352 - 17.44) / 2 = 167.28; a bar fills 72% of its slot, centred.
    a, b = chart.columns
    assert (a.x, a.width, a.y, a.height) == (40.86, 120.44, 117, 51)  # 17.44 + 0.14 x 167.28
    assert (b.x, b.y, b.height) == (208.14, 49, 119)  # 3 x 17 = 51, 7 x 17 = 119
    assert [t.at for t in chart.x_ticks] == [101.08, 268.36]  # the slots' centres
    assert [c.value_label for c in chart.columns] == ["3", "7"] and chart.labelled
    assert chart.view_box == "0 0 360 210"


def test_a_shared_top_puts_charts_on_one_scale():
    chart = column_chart([("a", 3)], x_title="x", y_title="y", top=40)
    assert [t.label for t in chart.y_ticks] == ["0", "10", "20", "30", "40"]
    assert chart.columns[0].height == pytest.approx((168 - 32) * 3 / 40, abs=0.01)


def test_histogram_ticks_sit_on_the_edges_and_are_thinned():
    values = [(f"bin {i}", i) for i in range(10)]
    edges = [(i, str(i * 10)) for i in range(11)]
    chart = column_chart(values, x_title="Score", y_title="People", x_ticks=edges, width=300)
    # "100" is 3 characters wide: the right margin keeps half of it inside the chart.
    assert chart.right == pytest.approx(300 - (3 * CHAR / 2 + 2), abs=0.01)
    slot = (chart.right - chart.left) / 10
    assert slot < 3 * CHAR + FONT / 2 < 2 * slot  # too tight for every edge: every second one
    assert [t.label for t in chart.x_ticks] == ["0", "20", "40", "60", "80", "100"]
    assert chart.x_ticks[0].at == chart.left
    assert chart.x_ticks[-1].at == pytest.approx(chart.right, abs=0.01)


def test_values_too_wide_for_their_columns_are_left_to_the_table():
    values = [(str(i), 1000 + i) for i in range(20)]
    chart = column_chart(values, x_title="x", y_title="y")
    assert not chart.labelled
    assert all(c.value_label is None for c in chart.columns)


def test_no_columns_still_draws_an_axis():
    chart = column_chart([], x_title="x", y_title="y")
    assert chart.columns == () and [t.label for t in chart.y_ticks] == ["0", "1"]


def test_stacked_segments_follow_the_running_total():
    parts = [("a", 0.25), ("b", 0.0), ("c", 0.25), ("d", 0.5)]
    got = stacked(parts, ["red", "pink", "grey", "blue"])
    assert [(s.label, s.x, s.width, s.colour) for s in got] == [
        ("a", 0, 25, "red"),
        ("c", 25, 25, "grey"),  # b is empty: no segment, and c keeps its own colour
        ("d", 50, 50, "blue"),
    ]


def test_stacked_thirds_leave_no_gap_and_end_at_100():
    got = stacked([("a", 1 / 3), ("b", 1 / 3), ("c", 1 / 3)], ["1", "2", "3"])
    assert [(s.x, s.width) for s in got] == [(0, 33.33), (33.33, 33.34), (66.67, 33.33)]
    assert got[-1].x + got[-1].width == 100
