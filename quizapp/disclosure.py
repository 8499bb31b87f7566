"""Disclosure control for group figures: blocks, calibrated noise and cell rules (docs/privacy.md).

Pure functions but for the noise itself, which comes from OpenDP's Laplace mechanisms (discrete
for counts, continuous for sums), drawn once per release by the caller and then stored.

- **Blocks.** A link's figures cover its first ``m x k`` responses, ``m = n // k``; they change
  only when another whole block of k arrives.
- **Noise.** A release's privacy-loss budget (epsilon) is split between its parts; each part's
  Laplace scale is its sensitivity divided by its share of the budget. Adding or removing one
  person changes one band count by 1, each of at most all dimensions' gap counts by 1, and
  each dimension's sum of scores (and of distances from the mean) by at most 100.
- **Cells.** No count is shown as 0 < c < k, nor as everyone: small band cells are merged with
  their neighbours, and a table that would collapse into one cell is not shown at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

SHARES = {"bands": 0.02, "gaps": 0.06, "means": 0.46, "spreads": 0.46}
SCORE_RANGE = 100.0


@dataclass(frozen=True)
class Budget:
    """How one release spends its privacy-loss budget across its parts."""

    epsilon: float
    dimensions: int

    def scale(self, part: str) -> float:
        """Laplace scale for a part: its L1 sensitivity over its share of epsilon."""
        sensitivity = {
            "bands": 1.0,
            "gaps": float(self.dimensions),
            "means": SCORE_RANGE * self.dimensions,
            "spreads": SCORE_RANGE * self.dimensions,
        }[part]
        return sensitivity / (self.epsilon * SHARES[part])


def block_size(responses: int, k: int) -> int:
    """How many responses the released figures cover: whole blocks of k only."""
    return (responses // k) * k


def count_range(responses: int, k: int) -> str:
    """A response count as a counselor sees it: coarsened to its block, e.g. "15-19"."""
    if responses < k:
        return f"fewer than {k}"
    low = block_size(responses, k)
    return f"{low}\u2013{low + k - 1}"


@cache
def _opendp():
    """OpenDP, imported when noise is first drawn: it takes a second to load, which every
    command-line call and worker start would otherwise pay."""
    import opendp.prelude as dp

    dp.enable_features("contrib")
    return dp


def noisy_counts(counts: Sequence[int], scale: float) -> list[int]:
    """Counts with discrete Laplace noise (OpenDP), never below zero."""
    if not counts:
        return []
    dp = _opendp()
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    noisy = dp.m.make_laplace(*space, scale=scale)([int(c) for c in counts])
    return [max(0, int(c)) for c in noisy]


def noisy_sums(sums: Sequence[float], scale: float) -> list[float]:
    """Sums with Laplace noise (OpenDP)."""
    if not sums:
        return []
    dp = _opendp()
    space = dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.l1_distance(T=float)
    return list(dp.m.make_laplace(*space, scale=scale)([float(s) for s in sums]))


def merge_cells(
    cells: Sequence[tuple[str, int]], k: int, size: int | None = None
) -> list[tuple[list[str], int]] | None:
    """Merge neighbouring cells (in order) until each holds at least k; None to withhold.

    The table is withheld when one cell would remain (everyone is in it), when the block is
    under 2k (no two cells can both hold k), or when a cell would hold more than size - k
    (nearly everyone: a count close to everyone says almost as much as everyone).
    """
    if size is not None and size < 2 * k:
        return None
    merged: list[tuple[list[str], int]] = []
    for cell_id, count in cells:
        if merged and merged[-1][1] < k:
            ids, total = merged.pop()
            merged.append(([*ids, cell_id], total + count))
        else:
            merged.append(([cell_id], count))
    while len(merged) > 1 and merged[-1][1] < k:
        ids, total = merged.pop()
        prev_ids, prev_total = merged.pop()
        merged.append(([*prev_ids, *ids], prev_total + total))
    if len(merged) < 2 or any(c < k for _, c in merged):
        return None
    if size is not None and any(c > size - k for _, c in merged):
        return None
    return merged


def shown_count(count: int, size: int, k: int) -> tuple[int | None, str]:
    """A count for display: itself only between k and size - k, otherwise a range in words."""
    if count < k:
        return None, f"fewer than {k}"
    if count > size - k:
        return None, f"more than {size - k}"
    return count, str(count)


def clamp(value: float, low: float = 0.0, high: float = SCORE_RANGE) -> float:
    return min(high, max(low, value))
