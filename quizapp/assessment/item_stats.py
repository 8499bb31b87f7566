"""Item quality for one dimension (Cronbach's alpha, corrected item-total r) from running sums. Pure."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction

MIN_CASES = 30  # below this many complete answers the figures are too noisy to act on
LOW_ALPHA = 0.70  # the usual rule of thumb for "good enough" internal consistency
WEAK_ITEM = 0.20  # a corrected item-total r below this says the item adds little

ITEM_FLAG_TEXT = {
    "negative": (
        "People who agree with this statement tend to disagree with the others in the dimension. "
        "It is probably scored the wrong way round: a reversed statement counted as normal, or "
        "the opposite."
    ),
    "weak": (
        "This statement has little to do with the others in the dimension. It may be unclear, "
        "or it may measure something else."
    ),
}

_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


@dataclass(frozen=True)
class ItemStat:
    """One item of a dimension: its mean and how well it agrees with the other items."""

    item_id: str
    mean: float | None
    corrected_item_total: float | None
    flag: str | None


@dataclass(frozen=True)
class DimensionReliability:
    """How consistently the items of one dimension measure the same thing."""

    dimension_id: str
    n: int
    alpha: float | None
    items: tuple[ItemStat, ...]
    flag: str | None


def cross_products(values: Sequence[float]) -> dict[tuple[int, int], float]:
    """Products x_a * x_b for every pair of positions a <= b, to add one response to the sums."""
    return {
        (a, b): values[a] * values[b] for a in range(len(values)) for b in range(a, len(values))
    }


def reliability(
    dimension_id: str,
    item_ids: Sequence[str],
    n: int,
    sums: Mapping[str, float],
    cross: Mapping[tuple[str, str], float],
) -> DimensionReliability:
    """Alpha and corrected item-total correlations from n, Σx_i and Σx_i·x_j over complete cases."""
    ids = list(item_ids)
    if len(set(ids)) != len(ids):
        raise ValueError(f"dimension {dimension_id!r} lists an item twice: {ids}")
    # Exact arithmetic: sums of item scores are exact in floating point, so a variance that is
    # zero in the data comes out exactly zero here instead of as rounding noise.
    cov = _covariances(ids, n, sums, cross) if n >= 3 else None
    items = tuple(_item_stat(item_id, index, n, sums, cov) for index, item_id in enumerate(ids))
    alpha = _alpha(cov) if cov is not None else None
    if n < MIN_CASES:
        flag = "too-few"
    elif alpha is not None and alpha < LOW_ALPHA:
        flag = "low-alpha"
    else:
        flag = None
    return DimensionReliability(dimension_id, n, alpha, items, flag)


def explain(rel: DimensionReliability) -> str:
    """One plain-English sentence saying how far the dimension's score can be trusted."""
    if rel.n < MIN_CASES:
        so_far = "No complete answers yet" if rel.n == 0 else f"Only {_count(rel.n)} so far"
        return f"{so_far}: wait for at least {MIN_CASES} before reading these figures."
    if rel.alpha is None:
        if len(rel.items) < 2:
            return "This dimension has a single statement, so there is nothing to check it against."
        return (
            "Everyone answered these statements the same way, so there is no spread to show "
            "whether they agree with each other."
        )
    shown = two_places(rel.alpha)
    if rel.alpha < LOW_ALPHA:
        return (
            f"These statements do not agree with each other much (alpha {shown}, below the usual "
            f"{LOW_ALPHA:.2f}): the score for this dimension is less trustworthy."
        )
    return (
        f"The {_word(len(rel.items))} statements hang together well (alpha {shown}): "
        "they seem to measure one thing."
    )


def _covariances(
    ids: list[str], n: int, sums: Mapping[str, float], cross: Mapping[tuple[str, str], float]
) -> list[list[Fraction]]:
    k = len(ids)
    cov = [[Fraction(0)] * k for _ in range(k)]
    for a in range(k):
        for b in range(a, k):
            s_a, s_b = Fraction(sums[ids[a]]), Fraction(sums[ids[b]])
            value = (_cross(cross, ids[a], ids[b]) - s_a * s_b / n) / (n - 1)
            cov[a][b] = cov[b][a] = value
    return cov


def _cross(cross: Mapping[tuple[str, str], float], i: str, j: str) -> Fraction:
    # The caller keys pairs in item order; accept the mirrored key too rather than fail on it.
    return Fraction(cross[(i, j)] if (i, j) in cross else cross[(j, i)])


def _alpha(cov: list[list[Fraction]]) -> float | None:
    k = len(cov)
    total = sum(sum(row) for row in cov)
    if k < 2 or total == 0:
        return None
    item_variances = sum(cov[i][i] for i in range(k))
    return float(Fraction(k, k - 1) * (1 - item_variances / total))


def _item_stat(
    item_id: str,
    index: int,
    n: int,
    sums: Mapping[str, float],
    cov: list[list[Fraction]] | None,
) -> ItemStat:
    mean = sums[item_id] / n if n > 0 else None
    r = _corrected_item_total(cov, index) if cov is not None else None
    return ItemStat(item_id, mean, r, _item_flag(r))


def _corrected_item_total(cov: list[list[Fraction]], i: int) -> float | None:
    others = [j for j in range(len(cov)) if j != i]
    with_rest = sum(cov[i][j] for j in others)
    rest_variance = sum(cov[j][m] for j in others for m in others)
    denominator = cov[i][i] * rest_variance
    if denominator <= 0:
        return None
    return float(with_rest) / math.sqrt(denominator)


def _item_flag(r: float | None) -> str | None:
    if r is None:
        return None
    if r < 0:
        return "negative"
    if r < WEAK_ITEM:
        return "weak"
    return None


def _count(n: int) -> str:
    return f"{n} complete answer" + ("" if n == 1 else "s")


def _word(number: int) -> str:
    return _NUMBER_WORDS[number] if number < len(_NUMBER_WORDS) else str(number)


def two_places(value: float) -> str:
    """Format a coefficient to two places, rounding down (see the comment below)."""
    # Round down, so an alpha of 0.699 reads "0.69" and never "0.70, below the usual 0.70".
    return str(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_FLOOR))
