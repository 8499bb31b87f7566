"""The strongest counselor we can build: the exact likelihood of every figure they see.

A counselor who controls every other sitting of a release knows every score in it but one. A
released mean is then ``round_half_up(clamp((known + x + noise) / n))`` for the one unknown score
x, the noise normal with a known standard deviation (docs/privacy.md). Two estimators read every
release a person is in, with a prior: the population's scores, which the counselor is assumed to
know exactly (samples of simulated people, the same model the clients come from).

- **Per area, on the 0-100 grid**: the probability that the noise fell in the interval that
  rounds to each shown whole number, times the prior; the posterior median.
- **Jointly**: every area of every release at once, with the noise's correlation between areas
  (its shared part), weighting each prior sample (a whole person: seven areas, the overall score
  and the band) by the exact normal likelihood, the rounding's variance added. Its estimates are
  weighted medians; its band the most probable one, times the likelihood of every band table the
  person is in (cell by cell, merged cells' noise added up).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

GRID = np.arange(0, 101, dtype=float)
_PHI = np.vectorize(NormalDist().cdf)


@dataclass(frozen=True)
class Noise:
    """Each area's sum carries N(0, sigma^2) noise, a share ``shared`` of it common to every
    area of one release; band counts carry rounded N(0, band^2) noise."""

    sigma: float
    shared: float
    band: float


@dataclass(frozen=True)
class Release:
    """What one release tells about the one person the counselor does not know: per area, the
    shown mean, the people it covers and the known people's sum (None: not shown)."""

    shown: dict[str, int]
    people: dict[str, int]
    known: dict[str, float]
    bands: list[tuple[tuple[str, ...], str, int]]  # (band ids, shown text, known people in it)


def area_likelihood(shown: int, n: int, known: float, sigma: float) -> np.ndarray:
    """P(shown | x) for every x on the grid: the noise fell where rounding gives ``shown``."""
    low = -math.inf if shown <= 0 else n * (shown - 0.5)
    high = math.inf if shown >= 100 else n * (shown + 0.5)
    base = known + GRID
    upper = _PHI((high - base) / sigma) if high != math.inf else np.ones_like(GRID)
    lower = _PHI((low - base) / sigma) if low != -math.inf else np.zeros_like(GRID)
    return np.maximum(upper - lower, 1e-300)


def grid_prior(scores: Sequence[float]) -> np.ndarray:
    counts = np.full(len(GRID), 0.5)
    for s in scores:
        counts[round(s)] += 1
    return counts / counts.sum()


def grid_estimate(prior: np.ndarray, likelihoods: Sequence[np.ndarray]) -> float:
    """The posterior median of one area's score on the grid."""
    log = np.log(prior)
    for like in likelihoods:
        log = log + np.log(like)
    post = np.exp(log - log.max())
    post /= post.sum()
    return float(GRID[int(np.searchsorted(np.cumsum(post), 0.5))])


def joint_weights(
    samples: np.ndarray, areas: Sequence[str], releases: Sequence[Release], noise: Noise
) -> np.ndarray:
    """Posterior weights of prior samples (people x areas) given every release."""
    log = np.zeros(len(samples))
    for release in releases:
        idx = [j for j, a in enumerate(areas) if a in release.shown]
        if not idx:
            continue
        y = np.array(
            [
                release.shown[areas[j]] * release.people[areas[j]] - release.known[areas[j]]
                for j in idx
            ]
        )
        n = np.array([release.people[areas[j]] for j in idx], dtype=float)
        size = len(idx)
        cov = noise.sigma**2 * (
            noise.shared * np.ones((size, size)) + (1 - noise.shared) * np.eye(size)
        )
        cov += np.diag(n**2 / 12)
        inverse = np.linalg.inv(cov)
        residual = y[None, :] - samples[:, idx]
        log += -0.5 * np.einsum("ij,jk,ik->i", residual, inverse, residual)
    weights = np.exp(log - log.max())
    return weights / weights.sum()


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    return float(values[order][int(np.searchsorted(np.cumsum(weights[order]), 0.5))])


def cell_probability(text: str, true: int, cells: int, sigma: float) -> float:
    """P(a shown band cell | its true count): merged cells' rounded normal noises added up
    (a normal of their summed variance), counts below zero shown as zero."""
    spread = math.sqrt(cells * (sigma**2 + 1 / 12))
    cdf = NormalDist(true, spread).cdf
    if text.startswith("fewer than"):
        return max(cdf(int(text.split()[-1]) - 0.5), 1e-300)
    if text.startswith("more than"):
        return max(1 - cdf(int(text.split()[-1]) + 0.5), 1e-300)
    shown = int(text)
    low = -math.inf if shown == 0 else shown - 0.5
    return max(cdf(shown + 0.5) - (cdf(low) if low != -math.inf else 0.0), 1e-300)


def band_estimate(
    weights: np.ndarray, sample_bands: np.ndarray, releases: Sequence[Release], noise: Noise
) -> str:
    """The most probable band: the samples' posterior weight per band, times every table."""
    log = {}
    for band in set(sample_bands.tolist()):
        log[band] = math.log(max(float(weights[sample_bands == band].sum()), 1e-12))
    for release in releases:
        for ids, text, known in release.bands:
            for band in log:
                inside = 1 if band in ids else 0
                log[band] += math.log(cell_probability(text, known + inside, len(ids), noise.band))
    return max(log, key=log.get)
