"""A counselor's view of one link's group, with small-group protection applied to every cell."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from .assessment.rubric import Dimension, Rubric
from .models import QuizLink
from .stats import Filters, band_counts, below_counts, dimension_stats, result_count


@dataclass(frozen=True)
class Cell:
    """A count or figure that may be hidden because too few people stand behind it."""

    value: float | None
    hidden: bool = False


@dataclass(frozen=True)
class BandRow:
    id: str
    label: str
    count: Cell


@dataclass(frozen=True)
class DimensionRow:
    dimension: Dimension
    mean: Cell
    sd: Cell
    everyone: float | None  # mean over everyone who took this rubric version
    below: Cell  # how many in the group have this dimension as a gap


@dataclass(frozen=True)
class CohortReport:
    count: int
    minimum: int
    bands: tuple[BandRow, ...] = ()
    dimensions: tuple[DimensionRow, ...] = ()
    everyone_count: int = 0

    @property
    def suppressed(self) -> bool:
        return self.count < self.minimum

    @property
    def common_gaps(self) -> tuple[DimensionRow, ...]:
        """Dimensions that are a gap for a shown number of people, most common first."""
        shown = [d for d in self.dimensions if not d.below.hidden and d.below.value]
        return tuple(sorted(shown, key=lambda d: -d.below.value)[:3])


def protect(counts: list[int], minimum: int) -> list[Cell]:
    """Hide every count under ``minimum``; if only one is hidden, hide the next smallest too,
    so a hidden count can never be worked out by subtracting the others from the total."""
    hidden = {i for i, n in enumerate(counts) if n < minimum}
    if len(hidden) == 1 and len(counts) > 1:
        others = sorted((n, i) for i, n in enumerate(counts) if i not in hidden)
        hidden.add(others[0][1])
    return [Cell(None, True) if i in hidden else Cell(n) for i, n in enumerate(counts)]


def cohort_report(session: Session, link: QuizLink, rubric: Rubric, minimum: int) -> CohortReport:
    """Aggregate a link's results; below ``minimum`` responses, only the count."""
    # One rubric version at a time: a link's results from an older version are not mixed in.
    mine = Filters(link_id=link.id, rubric_id=rubric.id, rubric_version=rubric.version)
    count = result_count(session, mine)
    if count < minimum:
        return CohortReport(count=count, minimum=minimum)

    everyone = Filters(rubric_id=rubric.id, rubric_version=rubric.version)
    by_band = band_counts(session, mine)
    bands = sorted(rubric.bands, key=lambda b: -b.min)
    band_cells = protect([by_band.get(b.id, 0) for b in bands], minimum)

    stats = dimension_stats(session, mine)
    baseline = dimension_stats(session, everyone)
    below = below_counts(session, mine, rubric.scoring.gap_threshold)
    rows = []
    for dim in rubric.dimensions:
        stat = stats.get(dim.id)
        enough = stat is not None and stat.count >= minimum
        below_n = below.get(dim.id, 0)
        rows.append(
            DimensionRow(
                dimension=dim,
                mean=Cell(stat.mean) if enough else Cell(None, True),
                sd=Cell(stat.sd) if enough else Cell(None, True),
                everyone=baseline[dim.id].mean if dim.id in baseline else None,
                below=Cell(below_n) if below_n >= minimum else Cell(None, True),
            )
        )
    return CohortReport(
        count=count,
        minimum=minimum,
        bands=tuple(BandRow(b.id, b.label, c) for b, c in zip(bands, band_cells, strict=True)),
        dimensions=tuple(rows),
        everyone_count=result_count(session, everyone),
    )
