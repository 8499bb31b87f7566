"""A counselor's view of one link's group: frozen, noisy releases over whole blocks of responses.

See quizapp/disclosure.py for the rules and docs/privacy.md for why each one is there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .assessment.rubric import Dimension, Rubric
from .disclosure import (
    Budget,
    block_size,
    clamp,
    count_range,
    merge_cells,
    noisy_counts,
    noisy_sums,
    shown_count,
)
from .models import CohortRelease, QuizLink
from .stats import (
    Filters,
    absolute_deviations,
    band_counts,
    below_counts,
    dimension_stats,
    result_count,
)

NO_BAND = "none"  # the cell of results without a band (answers unclear or too few)
NO_BAND_LABEL = "No band (answers unclear)"
MAX_SPREAD = 50.0


@dataclass(frozen=True)
class Cell:
    """A released figure: its whole-number value, or None when only words may be shown."""

    value: int | None
    text: str
    rank: int = 0  # the released (noisy) count, for ordering only; never shown as a number

    @property
    def hidden(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class BandRow:
    ids: tuple[str, ...]
    label: str
    count: Cell


@dataclass(frozen=True)
class DimensionRow:
    dimension: Dimension
    mean: Cell
    spread: Cell
    everyone: int | None  # everyone's mean on this rubric version when the release was made
    gaps: Cell  # how many in the group have this dimension as a gap


@dataclass(frozen=True)
class CohortReport:
    responses: str  # the response count, coarsened to its block ("15-19")
    size: int  # responses the figures cover (whole blocks of k); 0: nothing released yet
    minimum: int
    epsilon: float | None = None
    bands: tuple[BandRow, ...] | None = None  # None: withheld (they would single people out)
    dimensions: tuple[DimensionRow, ...] = ()
    everyone_count: int = 0
    budget_spent: bool = False  # no further releases: this link's privacy budget is used up

    @property
    def suppressed(self) -> bool:
        return self.size < self.minimum

    @property
    def next_update(self) -> int | None:
        if self.budget_spent:
            return None
        return self.size + self.minimum if self.size else self.minimum

    @property
    def common_gaps(self) -> tuple[DimensionRow, ...]:
        """Dimensions that are a gap for a shown number of people, most common first."""
        shown = [d for d in self.dimensions if d.gaps.rank >= self.minimum]
        return tuple(sorted(shown, key=lambda d: -d.gaps.rank)[:3])


def _block_figures(
    session: Session, link: QuizLink, rubric: Rubric, size: int, k: int, epsilon: float
) -> dict:
    """Compute one release's noisy figures, as whole numbers, ready to store."""
    block = Filters(link_id=link.id, rubric_id=rubric.id, rubric_version=rubric.version, first=size)
    budget = Budget(epsilon, len(rubric.dimensions))
    bands = sorted(rubric.bands, key=lambda b: -b.min)
    by_band = band_counts(session, block)
    ids = [b.id for b in bands] + [NO_BAND]
    counts = [by_band.get(b.id, 0) for b in bands] + [by_band.get(None, 0)]
    noisy = noisy_counts(counts, budget.scale("bands"))
    merged = merge_cells(list(zip(ids, noisy, strict=True)), k, size)

    stats = dimension_stats(session, block)
    dims = [d.id for d in rubric.dimensions if d.id in stats and stats[d.id].count >= k]
    sums = noisy_sums([stats[d].mean * stats[d].count for d in dims], budget.scale("means"))
    means = {d: clamp(s / stats[d].count) for d, s in zip(dims, sums, strict=True)}
    deviations = absolute_deviations(session, block, means)
    spread_sums = noisy_sums([deviations.get(d, 0.0) for d in dims], budget.scale("spreads"))
    below = below_counts(session, block, rubric.scoring.gap_threshold)
    gaps = noisy_counts([below.get(d, 0) for d in dims], budget.scale("gaps"))

    everyone = Filters(rubric_id=rubric.id, rubric_version=rubric.version)
    baseline = dimension_stats(session, everyone)
    return {
        "bands": None if merged is None else [[cell_ids, n] for cell_ids, n in merged],
        "dimensions": {
            d: {
                "mean": round(means[d]),
                "spread": round(clamp(spread / stats[d].count, 0, MAX_SPREAD)),
                "gaps": gaps[n],
            }
            for n, (d, spread) in enumerate(zip(dims, spread_sums, strict=True))
        },
        "everyone": {d: round(s.mean) for d, s in baseline.items() if s.mean is not None},
        "everyone_count": result_count(session, everyone) // 10 * 10,
    }


def release_for(
    session: Session, link: QuizLink, rubric: Rubric, size: int, k: int, epsilon: float
) -> CohortRelease:
    """The stored release for this block, made (noise drawn once) the first time it is asked for."""
    query = select(CohortRelease).where(
        CohortRelease.link_id == link.id,
        CohortRelease.rubric_version == rubric.version,
        CohortRelease.size == size,
    )
    found = session.scalars(query).one_or_none()
    if found is not None:
        return found
    release = CohortRelease(
        link_id=link.id,
        rubric_version=rubric.version,
        size=size,
        epsilon=epsilon,
        figures=_block_figures(session, link, rubric, size, k, epsilon),
    )
    session.add(release)
    try:
        session.commit()
    except IntegrityError:  # another request made the same release first: use theirs
        session.rollback()
        return session.scalars(query).one()
    return release


def _band_rows(rubric: Rubric, cells, size: int, k: int) -> tuple[BandRow, ...]:
    labels = {b.id: b.label for b in rubric.bands} | {NO_BAND: NO_BAND_LABEL}
    rows = []
    for ids, count in cells:
        value, text = shown_count(count, size, k)
        rows.append(BandRow(tuple(ids), " or ".join(labels[i] for i in ids), Cell(value, text)))
    return tuple(rows)


def report_from(rubric: Rubric, release: CohortRelease, responses: int, k: int) -> CohortReport:
    """Turn a stored release into what the page and the CSV show."""
    figures = release.figures
    size = release.size
    rows = []
    for dim in rubric.dimensions:
        fig = figures["dimensions"].get(dim.id)
        hidden = Cell(None, f"hidden: fewer than {k} scored")
        if fig is None:
            rows.append(DimensionRow(dim, hidden, hidden, None, Cell(None, f"fewer than {k}")))
            continue
        value, text = shown_count(fig["gaps"], size, k)
        rows.append(
            DimensionRow(
                dimension=dim,
                mean=Cell(fig["mean"], str(fig["mean"])),
                spread=Cell(fig["spread"], f"\u00b1{fig['spread']}"),
                everyone=figures["everyone"].get(dim.id),
                gaps=Cell(value, text, rank=fig["gaps"]),
            )
        )
    bands = figures["bands"]
    return CohortReport(
        responses=count_range(responses, k),
        size=size,
        minimum=k,
        epsilon=release.epsilon,
        bands=None if bands is None else _band_rows(rubric, bands, size, k),
        dimensions=tuple(rows),
        everyone_count=figures["everyone_count"],
    )


def _latest_release(session: Session, link: QuizLink, rubric: Rubric):
    """The link's largest release so far on this version, and the epsilon all its releases spent."""
    mine = (CohortRelease.link_id == link.id, CohortRelease.rubric_version == rubric.version)
    spent = session.scalar(select(func.sum(CohortRelease.epsilon)).where(*mine)) or 0.0
    latest = session.scalars(
        select(CohortRelease).where(*mine).order_by(CohortRelease.size.desc()).limit(1)
    ).one_or_none()
    return latest, float(spent)


def cohort_report(
    session: Session,
    link: QuizLink,
    rubric: Rubric,
    minimum: int,
    epsilon: float,
    link_budget: float | None = None,
) -> CohortReport:
    """A link's group figures as released: nothing but a coarse count below one block.

    Once a new release would take the link's releases past ``link_budget`` (total epsilon),
    no new release is made: the figures stay at the last one, and the page says why.
    """
    current = Filters(link_id=link.id, rubric_id=rubric.id, rubric_version=rubric.version)
    responses = result_count(session, current)
    size = block_size(responses, minimum)
    if size < minimum:
        return CohortReport(responses=count_range(responses, minimum), size=0, minimum=minimum)
    latest, spent = _latest_release(session, link, rubric)
    if latest is not None and latest.size == size:
        release = latest
    elif latest is not None and link_budget is not None and spent + epsilon > link_budget:
        release = latest  # the budget for this link is spent: the figures stay as they were
        report = report_from(rubric, release, responses, minimum)
        return replace(report, budget_spent=True)
    else:
        release = release_for(session, link, rubric, size, minimum, epsilon)
    return report_from(rubric, release, responses, minimum)


@dataclass(frozen=True)
class PrivacySpend:
    """What the group-figure releases have spent so far, for the admin area."""

    releases: int
    links: int
    most_per_link: float  # the largest total epsilon spent on one link's people


def privacy_spend(session: Session) -> PrivacySpend:
    """Releases made, links with releases, and the largest total epsilon of one link."""
    per_link = select(
        CohortRelease.link_id, func.count().label("n"), func.sum(CohortRelease.epsilon).label("e")
    ).group_by(CohortRelease.link_id)
    rows = session.execute(per_link).all()
    return PrivacySpend(
        releases=sum(r.n for r in rows),
        links=len(rows),
        most_per_link=max((float(r.e) for r in rows), default=0.0),
    )
