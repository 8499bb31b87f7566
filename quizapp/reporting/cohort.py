"""A counselor's view of one link's group: at most three releases, each frozen, with keyed noise.

See quizapp/disclosure.py for the rules and docs/privacy.md for why each one is there.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..assessment.rubric import Dimension, Rubric
from ..storage.models import CohortRelease, QuizLink, Result, ResultScore
from .disclosure import (
    BAND_TABLE_BLOCKS,
    EVERYONE_NOISE,
    area_noise,
    band_table_shown,
    count_range,
    epsilon,
    everyone_size,
    keyed_normal,
    margin,
    members,
    merge_cells,
    next_release,
    noise_key,
    noisy_count,
    noisy_mean,
    release_rho,
    release_size,
    shown_count,
)

NO_BAND = "none"  # the cell of results without a band (answers unclear or too few)
NO_BAND_LABEL = "No band (answers unclear)"
COMMON_GAPS = 3  # the group's lowest areas shown as gaps, at most


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
    everyone: int | None  # everyone's mean on this rubric version (a release of its own)
    scored: int = 0  # how many people of the release have a score here


@dataclass(frozen=True)
class CohortReport:
    responses: str  # the response count, coarsened to its block ("15-19")
    size: int  # scored responses the figures cover (10, 30 or 100 at k = 5); 0: none yet
    minimum: int
    first_release: int = 0  # scored responses the first figures need
    bands: tuple[BandRow, ...] | None = None  # None: not shown (too few yet, or singling out)
    band_table_from: int = 0  # the release size from which band tables are shown
    dimensions: tuple[DimensionRow, ...] = ()
    everyone_count: int = 0
    next_update: int | None = None  # the scored response that brings the next release
    gap_line: float = 55.0

    @property
    def suppressed(self) -> bool:
        return self.size == 0

    @property
    def margin(self) -> int:
        """How far a shown mean is from the group's true mean, 9 times in 10 (points)."""
        return margin(self.size)

    @property
    def common_gaps(self) -> tuple[DimensionRow, ...]:
        """The areas whose group mean is below the gap line, lowest first (from the means)."""
        low = [d for d in self.dimensions if not d.mean.hidden and d.mean.value < self.gap_line]
        return tuple(sorted(low, key=lambda d: d.mean.value)[:COMMON_GAPS])


def scored_results(link: QuizLink, rubric: Rubric):
    """The link's results on this version with a score on at least one area, in arrival
    order: sittings that answered "Not sure" to everything never count towards a release."""
    has_score = exists().where(ResultScore.result_id == Result.id, ResultScore.score.is_not(None))
    return select(Result.id).where(
        Result.link_id == link.id,
        Result.rubric_id == rubric.id,
        Result.rubric_version == rubric.version,
        has_score,
    )


def _area_sums(session: Session, ids: list[int]) -> dict[str, tuple[list[int], float]]:
    """Each area's scored people (their result ids) and their sum of scores."""
    rows = session.execute(
        select(ResultScore.result_id, ResultScore.dimension_id, ResultScore.score).where(
            ResultScore.result_id.in_(ids), ResultScore.score.is_not(None)
        )
    )
    out: dict[str, tuple[list[int], float]] = {}
    for result_id, dimension_id, score in rows:
        people, total = out.get(dimension_id, ([], 0.0))
        people.append(result_id)
        out[dimension_id] = (people, total + float(score))
    return out


def _band_table(session, rubric, ids, key, covered, k) -> list | None:
    """The release's band counts with keyed noise, small cells merged (None: withheld)."""
    found = dict(
        session.execute(
            select(Result.band, func.count()).where(Result.id.in_(ids)).group_by(Result.band)
        ).all()
    )
    cells = [b.id for b in sorted(rubric.bands, key=lambda b: -b.min)] + [NO_BAND]
    counts = [found.get(None if c == NO_BAND else c, 0) for c in cells]
    noisy = [
        noisy_count(key, rubric.version, c, covered, n) for c, n in zip(cells, counts, strict=True)
    ]
    merged = merge_cells(list(zip(cells, noisy, strict=True)), k, len(ids))
    return None if merged is None else [[cell_ids, n] for cell_ids, n in merged]


def _block_figures(
    session: Session, link: QuizLink, rubric: Rubric, size: int, k: int, secret: str
) -> dict:
    """One release's figures, as whole numbers, ready to store."""
    ids = list(session.scalars(scored_results(link, rubric).order_by(Result.id).limit(size)))
    key = noise_key(secret)
    covered = members(ids)
    dimensions = {}
    for area, (people, total) in _area_sums(session, ids).items():
        if len(people) < k:
            continue
        noise = area_noise(key, rubric.version, covered, area, members(people))
        dimensions[area] = {"mean": noisy_mean(total, len(people), noise), "n": len(people)}
    shown = band_table_shown(size, k)
    everyone = everyone_figures(session, rubric, key)
    return {
        "bands": _band_table(session, rubric, ids, key, covered, k) if shown else None,
        "dimensions": dimensions,
        "everyone": everyone["means"],
        "everyone_count": everyone["count"],
    }


_EVERYONE: dict[tuple, dict] = {}  # a worker's copy of everyone's releases, by what they cover


def everyone_figures(session: Session, rubric: Rubric, key: bytes) -> dict:
    """Everyone's means on a version: over its first 100, 200, 400, ... results (by arrival),
    with keyed noise, so they depend on neither the day nor the moment anyone looks."""
    version = (Result.rubric_id == rubric.id, Result.rubric_version == rubric.version)
    results = session.scalar(select(func.count()).select_from(Result).where(*version)) or 0
    size = everyone_size(results)
    if not size:
        return {"means": {}, "count": 0}
    last = session.scalar(
        select(Result.id).where(*version).order_by(Result.id).offset(size - 1).limit(1)
    )
    kept = (key, rubric.id, rubric.version, size, last)
    if kept in _EVERYONE:
        return _EVERYONE[kept]
    rows = session.execute(
        select(ResultScore.dimension_id, func.count(ResultScore.score), func.sum(ResultScore.score))
        .join(Result, Result.id == ResultScore.result_id)
        .where(*version, Result.id <= last, ResultScore.score.is_not(None))
        .group_by(ResultScore.dimension_id)
    )
    means = {}
    for area, people, total in rows:
        if people:
            labels = ("everyone", rubric.version, str(size), str(last), area)
            noise = EVERYONE_NOISE * keyed_normal(key, *labels)
            means[area] = noisy_mean(float(total), people, noise)
    figures = _EVERYONE[kept] = {"means": means, "count": size}
    return figures


def release_for(
    session: Session, link: QuizLink, rubric: Rubric, size: int, k: int, secret: str
) -> CohortRelease:
    """The stored release for this size, made the first time it is asked for."""
    query = select(CohortRelease).where(
        CohortRelease.link_id == link.id,
        CohortRelease.rubric_version == rubric.version,
        CohortRelease.size == size,
    )
    found = session.scalars(query).one_or_none()
    if found is not None:
        return found
    rho = release_rho(len(rubric.dimensions), band_table_shown(size, k))
    release = CohortRelease(
        link_id=link.id,
        rubric_version=rubric.version,
        size=size,
        epsilon=round(epsilon(rho), 2),
        figures=_block_figures(session, link, rubric, size, k, secret),
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
        if fig is None:
            rows.append(DimensionRow(dim, Cell(None, f"hidden: fewer than {k} scored"), None))
            continue
        mean = fig["mean"]
        everyone = figures["everyone"].get(dim.id)
        rows.append(DimensionRow(dim, Cell(mean, str(mean)), everyone, fig.get("n", size)))
    bands = figures["bands"]
    return CohortReport(
        responses=count_range(responses, k),
        size=size,
        minimum=k,
        first_release=next_release(0, k) or 0,
        bands=None if bands is None else _band_rows(rubric, bands, size, k),
        band_table_from=BAND_TABLE_BLOCKS * k,
        dimensions=tuple(rows),
        everyone_count=figures["everyone_count"],
        next_update=next_release(size, k),
        gap_line=rubric.scoring.gap_threshold,
    )


def cohort_report(
    session: Session, link: QuizLink, rubric: Rubric, minimum: int, secret: str
) -> CohortReport:
    """A link's group figures as released: nothing but a coarse count before the first release.

    The count shown is every response's; the figures cover the first 10, 30 or 100 scored
    responses (at k = 5) and are made once, when first asked for.
    """
    version = (Result.rubric_id == rubric.id, Result.rubric_version == rubric.version)
    responses = session.scalar(
        select(func.count()).select_from(Result).where(Result.link_id == link.id, *version)
    )
    counted = scored_results(link, rubric).subquery()
    scored = session.scalar(select(func.count()).select_from(counted))
    size = release_size(scored or 0, minimum)
    if not size:
        return CohortReport(
            responses=count_range(responses or 0, minimum),
            size=0,
            minimum=minimum,
            first_release=next_release(0, minimum) or 0,
            band_table_from=BAND_TABLE_BLOCKS * minimum,
        )
    release = release_for(session, link, rubric, size, minimum, secret)
    return report_from(rubric, release, responses or 0, minimum)


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
