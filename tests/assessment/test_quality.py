"""Item quality from running sums, checked against hand arithmetic and against the raw rows.

Every dataset is given as raw rows (one tuple of keyed scores per respondent). ``sums_of`` turns
rows into the running sums the database keeps (using ``cross_products``, as the storage code
does), and ``direct`` recomputes alpha and the corrected item-total r the long way from the rows
with the standard library, so each hand-worked figure is also checked independently.
"""

import random
import statistics

import pytest

from quizapp.assessment.item_stats import (
    ITEM_FLAG_TEXT,
    MIN_CASES,
    DimensionReliability,
    cross_products,
    explain,
    reliability,
)

# Dataset A: 5 respondents x 3 items, every item mean 3.
#   deviations from the mean     item1  item2  item3  | total
#   p1  (1, 2, 1)                 -2     -1     -2    |  -5
#   p2  (2, 2, 3)                 -1     -1      0    |  -2
#   p3  (3, 3, 3)                  0      0      0    |   0
#   p4  (4, 5, 4)                  1      2      1    |   4
#   p5  (5, 3, 4)                  2      0      1    |   3
# Sums of squared/cross deviations, divided by n - 1 = 4:
#   var1 = (4+1+0+1+4)/4 = 2.5   var2 = (1+1+0+4+0)/4 = 1.5   var3 = (4+0+0+1+1)/4 = 1.5
#   cov12 = (2+1+0+2+0)/4 = 1.25  cov13 = (4+0+0+1+2)/4 = 1.75  cov23 = (2+0+0+2+0)/4 = 1.0
A = [(1, 2, 1), (2, 2, 3), (3, 3, 3), (4, 5, 4), (5, 3, 4)]

# Dataset B: A with a fourth item, then item 3 reversed (6 - x) as if keyed the wrong way.
#   item4 (2, 1, 3, 4, 5), deviations -1, -2, 0, 1, 2: var4 = 10/4 = 2.5,
#   cov14 = (2+2+0+1+4)/4 = 2.25, cov24 = (1+2+0+2+0)/4 = 1.25, cov34 = (2+0+0+1+2)/4 = 1.25.
#   Reversing item 3 keeps var3 = 1.5 and flips the sign of its covariances:
#   cov13 = -1.75, cov23 = -1.0, cov34 = -1.25.
B = [(1, 2, 5, 2), (2, 2, 3, 1), (3, 3, 3, 3), (4, 5, 2, 4), (5, 3, 2, 5)]

# Dataset C: the three rotations of (1, 2, 3) plus (1, 1, 1) and (3, 3, 3). By symmetry every item
# has the same variance and every pair the same covariance (all means 2):
#   deviations (-1, 0, 1), (0, 1, -1), (1, -1, 0), (-1, -1, -1), (1, 1, 1)
#   var = (1+0+1+1+1)/4 = 1 for each item; cov = (0+0-1+1+1)/4 = 0.25 for each pair.
C = [(1, 2, 3), (2, 3, 1), (3, 1, 2), (1, 1, 1), (3, 3, 3)]


def sums_of(rows, ids):
    """The running sums the database keeps for these rows: n, Σx_i and Σx_i·x_j."""
    sums = dict.fromkeys(ids, 0.0)
    cross = {}
    for row in rows:
        for position, item_id in enumerate(ids):
            sums[item_id] += row[position]
        for (a, b), product in cross_products(row).items():
            key = (ids[a], ids[b])
            cross[key] = cross.get(key, 0.0) + product
    return len(rows), sums, cross


def rel_of(rows, ids=None, dimension_id="dim"):
    ids = ids or [f"q{position + 1}" for position in range(len(rows[0]))]
    n, sums, cross = sums_of(rows, ids)
    return reliability(dimension_id, ids, n, sums, cross)


def direct(rows):
    """Alpha and corrected item-total r computed the long way from the raw rows."""
    columns = list(zip(*rows, strict=True))
    totals = [sum(row) for row in rows]
    k = len(columns)
    item_variances = sum(statistics.variance(column) for column in columns)
    alpha = k / (k - 1) * (1 - item_variances / statistics.variance(totals))
    rs = []
    for column in columns:
        rest = [total - x for total, x in zip(totals, column, strict=True)]
        cov = statistics.covariance(column, rest)
        rs.append(cov / (statistics.variance(column) * statistics.variance(rest)) ** 0.5)
    return alpha, rs


def item_rs(rel):
    return [item.corrected_item_total for item in rel.items]


def test_cross_products_covers_each_pair_once_with_squares():
    assert cross_products([2, 3, 5]) == {
        (0, 0): 4,
        (0, 1): 6,
        (0, 2): 10,
        (1, 1): 9,
        (1, 2): 15,
        (2, 2): 25,
    }
    assert cross_products([]) == {}


def test_sums_of_dataset_a_match_the_hand_totals():
    n, sums, cross = sums_of(A, ["q1", "q2", "q3"])
    assert n == 5
    assert sums == {"q1": 15, "q2": 15, "q3": 15}
    # Σx1² = 1+4+9+16+25 = 55; Σx1x2 = 2+4+9+20+15 = 50; Σx2x3 = 2+6+9+20+12 = 49
    assert cross[("q1", "q1")] == 55
    assert cross[("q1", "q2")] == 50
    assert cross[("q2", "q3")] == 49
    # from sums: var1 = (55 - 15*15/5)/4 = 10/4 = 2.5; cov12 = (50 - 45)/4 = 1.25, as in the table
    assert len(cross) == 6


def test_dataset_a_by_hand():
    rel = rel_of(A)
    # Σvar = 2.5 + 1.5 + 1.5 = 5.5; var(T) = 5.5 + 2*(1.25 + 1.75 + 1.0) = 13.5
    # alpha = 3/2 * (1 - 5.5/13.5) = 3/2 * 8/13.5 = 8/9
    assert rel.alpha == pytest.approx(8 / 9)
    # r1 = (cov12 + cov13) / sqrt(var1 * (var2 + var3 + 2 cov23)) = 3 / sqrt(2.5 * 5)
    # r2 = (cov12 + cov23) / sqrt(var2 * (var1 + var3 + 2 cov13)) = 2.25 / sqrt(1.5 * 7.5)
    # r3 = (cov13 + cov23) / sqrt(var3 * (var1 + var2 + 2 cov12)) = 2.75 / sqrt(1.5 * 6.5)
    expected = [3 / 12.5**0.5, 2.25 / 11.25**0.5, 2.75 / 9.75**0.5]  # 0.849, 0.671, 0.881
    assert item_rs(rel) == pytest.approx(expected)
    assert [item.mean for item in rel.items] == pytest.approx([3, 3, 3])
    assert [item.flag for item in rel.items] == [None, None, None]
    assert rel.n == 5
    assert rel.flag == "too-few"  # 5 < 30, even though alpha is high


@pytest.mark.parametrize("rows", [A, B, C], ids=["A", "B", "C"])
def test_sums_agree_with_the_raw_rows(rows):
    rel = rel_of(rows)
    alpha, rs = direct(rows)
    assert rel.alpha == pytest.approx(alpha)
    assert item_rs(rel) == pytest.approx(rs)


def test_random_data_agrees_with_the_raw_rows():
    generator = random.Random(20240611)
    rows = []
    for _ in range(60):
        trait = generator.randint(1, 5)
        rows.append(tuple(min(5, max(1, trait + generator.randint(-2, 2))) for _ in range(6)))
    rel = rel_of(rows)
    alpha, rs = direct(rows)
    assert rel.alpha == pytest.approx(alpha)
    assert item_rs(rel) == pytest.approx(rs)
    assert rel.n == 60


def test_miskeyed_item_has_a_negative_item_total_correlation():
    rel = rel_of(B)
    # Σvar = 2.5 + 1.5 + 1.5 + 2.5 = 8
    # Σ pair covariances = 1.25 - 1.75 + 2.25 - 1.0 + 1.25 - 1.25 = 0.75; var(T) = 8 + 2*0.75 = 9.5
    # alpha = 4/3 * (1 - 8/9.5) = 4/3 * 1.5/9.5 = 4/19
    assert rel.alpha == pytest.approx(4 / 19)
    # item 3: cov with the rest = -1.75 - 1.0 - 1.25 = -4;
    #   var(rest) = 2.5 + 1.5 + 2.5 + 2*(1.25 + 2.25 + 1.25) = 16 -> r3 = -4 / sqrt(1.5 * 16)
    # item 1: cov = 1.25 - 1.75 + 2.25 = 1.75; var(rest) = 5.5 + 2*(-1 + 1.25 - 1.25) = 3.5
    # item 2: cov = 1.25 - 1.0 + 1.25 = 1.5; var(rest) = 6.5 + 2*(-1.75 + 2.25 - 1.25) = 5
    # item 4: cov = 2.25 + 1.25 - 1.25 = 2.25; var(rest) = 5.5 + 2*(1.25 - 1.75 - 1.0) = 2.5
    expected = [1.75 / 8.75**0.5, 1.5 / 7.5**0.5, -4 / 24**0.5, 2.25 / 2.5]
    assert item_rs(rel) == pytest.approx(expected)  # 0.592, 0.548, -0.816, 0.9
    assert [item.flag for item in rel.items] == [None, None, "negative", None]
    assert "wrong way round" in ITEM_FLAG_TEXT["negative"]


def test_rekeying_the_miskeyed_item_restores_consistency():
    rekeyed = [(x1, x2, 6 - x3, x4) for x1, x2, x3, x4 in B]
    rel = rel_of(rekeyed)
    # Σ pair covariances = 1.25 + 1.75 + 2.25 + 1.0 + 1.25 + 1.25 = 8.75; var(T) = 8 + 17.5
    # alpha = 4/3 * (1 - 8/25.5) = 4/3 * 17.5/25.5 = 140/153
    assert rel.alpha == pytest.approx(140 / 153)
    assert [item.flag for item in rel.items] == [None, None, None, None]


def test_item_unrelated_to_the_rest_is_weak():
    # A plus item 4 = (4, 6, 1, 5, 4): deviations (0, 2, -3, 1, 0) against total deviations
    # (-5, -2, 0, 4, 3) give 0 - 4 + 0 + 4 + 0 = 0, so r4 = 0 exactly: "weak", not "negative".
    rows = [(*row, x4) for row, x4 in zip(A, (4, 6, 1, 5, 4), strict=True)]
    rel = rel_of(rows)
    assert rel.items[3].corrected_item_total == 0
    assert rel.items[3].flag == "weak"
    assert "little to do with the others" in ITEM_FLAG_TEXT["weak"]


def test_textbook_equal_covariances_give_the_spearman_brown_value():
    # With equal variances v and covariances c, alpha equals the Spearman-Brown formula
    # k*rbar / (1 + (k-1)*rbar), rbar = c/v. For C: rbar = 0.25/1, so 0.75 / 1.5 = 0.5;
    # and from the definition: 3/2 * (1 - 3/(3 + 6*0.25)) = 3/2 * 1/3 = 0.5.
    rel = rel_of(C)
    assert rel.alpha == pytest.approx(0.5)
    # r = 2c / sqrt(v * (2v + 2c)) = 0.5 / sqrt(2.5) for every item
    assert item_rs(rel) == pytest.approx([0.5 / 2.5**0.5] * 3)


def test_identical_items_have_alpha_one():
    rows = [(x, x, x) for x in (1, 2, 2, 4, 5)]
    rel = rel_of(rows)
    assert rel.alpha == pytest.approx(1)
    assert item_rs(rel) == pytest.approx([1, 1, 1])


def test_repeating_the_data_changes_neither_alpha_nor_r_but_lifts_too_few():
    # 6 copies of C: every covariance is scaled by the same factor (24/29), so ratios hold.
    rel = rel_of(C * 6)
    assert rel.n == 30 == MIN_CASES
    assert rel.alpha == pytest.approx(0.5)
    assert item_rs(rel) == pytest.approx([0.5 / 2.5**0.5] * 3)
    assert rel.flag == "low-alpha"
    assert rel_of(A * 6).flag is None


def test_zero_variance_gives_no_alpha_and_no_correlations():
    rel = rel_of([(3, 4, 2)] * 40)
    assert rel.alpha is None
    assert item_rs(rel) == [None, None, None]
    assert [item.mean for item in rel.items] == pytest.approx([3, 4, 2])
    assert rel.flag is None


def test_one_constant_item_has_no_correlation_but_alpha_is_still_computed():
    rows = [(x1, x2, 3) for x1, x2, _ in A]
    rel = rel_of(rows)
    # var3 = 0, cov with item 3 = 0: Σvar = 4, var(T) = 4 + 2*1.25 = 6.5
    # alpha = 3/2 * (1 - 4/6.5) = 3/2 * 2.5/6.5 = 15/26
    assert rel.alpha == pytest.approx(15 / 26)
    assert rel.items[2].corrected_item_total is None
    assert rel.items[2].flag is None
    # r1 = cov12 / sqrt(var1 * var2) = 1.25 / sqrt(2.5 * 1.5), the plain correlation
    assert rel.items[0].corrected_item_total == pytest.approx(1.25 / 3.75**0.5)


@pytest.mark.parametrize("rows", [A[:2], A[:1]], ids=["two", "one"])
def test_fewer_than_three_cases_give_no_alpha(rows):
    rel = rel_of(rows)
    assert rel.alpha is None
    assert item_rs(rel) == [None, None, None]
    assert rel.flag == "too-few"


def test_no_cases_at_all():
    ids = ["q1", "q2"]
    cross = {("q1", "q1"): 0, ("q1", "q2"): 0, ("q2", "q2"): 0}
    rel = reliability("dim", ids, 0, {"q1": 0, "q2": 0}, cross)
    assert rel.alpha is None
    assert [item.mean for item in rel.items] == [None, None]
    assert rel.flag == "too-few"


def test_single_item_has_no_alpha():
    rel = rel_of([(x,) for x in (1, 2, 3, 4, 5)] * 6)
    assert rel.alpha is None
    assert item_rs(rel) == [None]
    assert rel.flag is None


def test_item_order_is_kept_and_mirrored_keys_are_accepted():
    ids = ["z", "a", "m"]
    n, sums, cross = sums_of(A, ids)
    assert ("z", "a") in cross  # keyed in item order, not alphabetically
    rel = reliability("dim", ids, n, sums, cross)
    assert [item.item_id for item in rel.items] == ids
    mirrored = {(j, i): value for (i, j), value in cross.items()}
    assert reliability("dim", ids, n, sums, mirrored) == rel


def test_duplicate_item_ids_are_refused():
    n, sums, cross = sums_of(A, ["q1", "q2", "q3"])
    with pytest.raises(ValueError, match="lists an item twice"):
        reliability("dim", ["q1", "q1"], n, sums, cross)


def test_explain_consistent_dimension():
    rel = rel_of(A * 6, dimension_id="planning")
    assert rel.dimension_id == "planning"
    # alpha 8/9 = 0.888... is shown rounded down
    assert explain(rel) == (
        "The three statements hang together well (alpha 0.88): they seem to measure one thing."
    )


def test_explain_low_alpha():
    assert explain(rel_of(C * 6)) == (
        "These statements do not agree with each other much (alpha 0.50, below the usual 0.70): "
        "the score for this dimension is less trustworthy."
    )


def test_explain_rounds_down_just_below_the_threshold():
    rel = DimensionReliability("dim", 50, 0.6999, (), "low-alpha")
    assert "(alpha 0.69, below the usual 0.70)" in explain(rel)


@pytest.mark.parametrize(
    ("n", "opening"),
    [
        (0, "No complete answers yet"),
        (1, "Only 1 complete answer so far"),
        (12, "Only 12 complete answers so far"),
    ],
)
def test_explain_too_few(n, opening):
    rel = DimensionReliability("dim", n, None, (), "too-few")
    assert explain(rel) == f"{opening}: wait for at least 30 before reading these figures."


def test_explain_no_spread_and_single_item():
    assert explain(rel_of([(3, 4, 2)] * 40)).startswith("Everyone answered these statements")
    assert explain(rel_of([(x,) for x in (1, 2, 3)] * 10)) == (
        "This dimension has a single statement, so there is nothing to check it against."
    )
