"""Disclosure control for group figures: release sizes, keyed noise and cell rules (docs/privacy.md).

Pure functions; the caller reads the database and stores each release once.

- **Few releases.** A link's figures cover its first 2k scored responses, then its first 6k,
  then its first 20k (10, 30 and 100 at k = 5), and never change after that: at most three
  releases ever include a person, however the counselor times them or pads the link. A sitting
  scored on no area (every answer "Not sure") never moves a link to its next release.
- **Keyed noise (the cell-key method).** Each figure's noise is a fixed function of the set of
  people it covers: a keyed hash (HMAC-SHA256 under a key derived from the app's secret key) of
  the figure's name and of the sorted ids of those people, turned into a normal deviate. The
  same people always give the same figure, so no view, filler or re-release averages noise away.
- **Sizes of noise.** Each area's sum of scores carries normal noise with a standard deviation
  of ``MEAN_NOISE`` (100 points of sum), half of its variance shared by every area of the
  release, so the noise does not average out over the areas of one person (their overall score
  and band); band counts carry rounded normal noise (``BAND_NOISE``); everyone's means, over the
  first 100, 200, 400, ... results of a version, ``EVERYONE_NOISE``.
- **Cells.** No count is shown as 0 < c < k, nor as everyone: small band cells are merged with
  their neighbours, and a table that would collapse into one cell is not shown at all.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Iterable, Sequence
from statistics import NormalDist

RELEASE_BLOCKS = (2, 6, 20)  # a link's releases cover its first 2k, 6k and 20k scored responses
BAND_TABLE_BLOCKS = 6  # band tables from the 6k release on
MEAN_NOISE = 130.0  # standard deviation of the noise on an area's sum of scores
COMMON_SHARE = 0.5  # the share of that variance every area of one release has in common
BAND_NOISE = 9.0  # standard deviation of the noise on a band count (rounded)
EVERYONE_FROM = 100  # everyone's means: over the first 100 results, then 200, 400, ...
EVERYONE_NOISE = 500.0  # standard deviation of the noise on everyone's sum of an area's scores
SCORE_RANGE = 100.0
Z90 = NormalDist().inv_cdf(0.95)  # 90% of normal noise lies within this many deviations


def release_size(scored: int, k: int) -> int:
    """How many scored responses the link's figures cover: the largest release size reached."""
    reached = [m * k for m in RELEASE_BLOCKS if m * k <= scored]
    return reached[-1] if reached else 0


def next_release(size: int, k: int) -> int | None:
    """The scored response that brings the next release, or None after the last one."""
    return next((m * k for m in RELEASE_BLOCKS if m * k > size), None)


def band_table_shown(size: int, k: int) -> bool:
    return size >= BAND_TABLE_BLOCKS * k


def everyone_size(results: int) -> int:
    """How many of a version's first results everyone's means cover: 100, 200, 400, ... or 0."""
    if results < EVERYONE_FROM:
        return 0
    return EVERYONE_FROM * 2 ** int(math.log2(results / EVERYONE_FROM))


def block_size(responses: int, k: int) -> int:
    """The response count rounded down to a whole number of blocks of k."""
    return (responses // k) * k


def count_range(responses: int, k: int) -> str:
    """A response count as a counselor sees it: coarsened to one block of k, e.g. "15-19"."""
    if responses < k:
        return f"fewer than {k}"
    low = block_size(responses, k)
    return f"{low}\u2013{low + k - 1}"


def noise_key(secret: str) -> bytes:
    """The key of every figure's noise, kept apart from the keys the secret key signs with."""
    return hmac.digest(secret.encode(), b"quizapp group-figure noise", "sha256")


def members(ids: Iterable[int]) -> str:
    """A name for a set of people: a hash of their sorted result ids."""
    text = ",".join(str(i) for i in sorted(ids))
    return hashlib.sha256(text.encode()).hexdigest()


def keyed_normal(key: bytes, *labels: str) -> float:
    """A standard normal deviate that is a fixed function of the key and the labels."""
    digest = hmac.digest(key, "\0".join(labels).encode(), "sha256")
    uniform = (int.from_bytes(digest[:7], "big") + 0.5) / 2**56  # strictly inside (0, 1)
    return NormalDist().inv_cdf(uniform)


def area_noise(key: bytes, version: str, release: str, area: str, scored: str) -> float:
    """The noise on one area's sum: a part shared by the release's areas and one of its own."""
    shared = keyed_normal(key, "mean-shared", version, release)
    own = keyed_normal(key, "mean", version, area, scored)
    return MEAN_NOISE * (math.sqrt(COMMON_SHARE) * shared + math.sqrt(1 - COMMON_SHARE) * own)


def noisy_mean(total: float, people: int, noise: float) -> int:
    """A released mean: the noisy sum over the people, kept to 0-100, a whole number."""
    return math.floor(clamp((total + noise) / people) + 0.5)


def noisy_count(key: bytes, version: str, cell: str, covered: str, count: int) -> int:
    """A band count with rounded normal noise, never below zero."""
    return max(0, count + round(BAND_NOISE * keyed_normal(key, "band", version, cell, covered)))


def margin(people: int, sigma: float = MEAN_NOISE) -> int:
    """How far a released mean over ``people`` is from the true one, 9 times in 10 (whole
    points, with the rounding to a whole number)."""
    return math.ceil(Z90 * sigma / people + 0.5)


def merge_cells(
    cells: Sequence[tuple[str, int]], k: int, size: int | None = None
) -> list[tuple[list[str], int]] | None:
    """Merge neighbouring cells (in order) until each holds at least k; None to withhold.

    The table is withheld when one cell would remain (everyone is in it) or when the block is
    under 2k (no two cells can both hold k). A cell of nearly everyone is shown as "more than
    size - k" (``shown_count``), never as a number.
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


DELTA = 1e-6  # the delta at which a release's formal guarantee is stated


def release_rho(areas: int, bands: bool) -> float:
    """The release's zero-concentrated differential privacy (rho) for one person: the largest
    (D' S^-1 D) / 2 over every change D one person makes to the areas' sums (each 0-100; a
    convex form, largest at a corner of the box), plus a band count's change of 1."""
    shared, own = COMMON_SHARE * MEAN_NOISE**2, (1 - COMMON_SHARE) * MEAN_NOISE**2
    worst = 0.0
    for scored in range(areas + 1):  # ``scored`` areas at 100, the others at 0
        total = scored * SCORE_RANGE
        shape = scored * SCORE_RANGE**2 - total**2 / areas
        level = total**2 / areas
        worst = max(worst, shape / own + level / (own + areas * shared))
    return worst / 2 + (1 / (2 * BAND_NOISE**2) if bands else 0.0)


def epsilon(rho: float, delta: float = DELTA) -> float:
    """The (epsilon, delta) guarantee that rho-zCDP implies (Bun and Steinke, 2016)."""
    return rho + 2 * math.sqrt(rho * math.log(1 / delta))
