"""Rubric quality from stored answers: Cronbach's alpha and item-total correlations per dimension."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from ..assessment.item_stats import DimensionReliability, reliability
from ..assessment.rubric import Dimension, Rubric
from .stats import Filters, rollup_sums


@dataclass(frozen=True)
class DimensionQuality:
    dimension: Dimension
    reliability: DimensionReliability


@dataclass(frozen=True)
class QualityReport:
    rubric: Rubric
    filters: Filters
    dimensions: tuple[DimensionQuality, ...]

    @property
    def flagged(self) -> tuple[DimensionQuality, ...]:
        return tuple(
            d
            for d in self.dimensions
            if d.reliability.flag or any(i.flag for i in d.reliability.items)
        )


def rubric_quality(session: Session, rubric: Rubric, filters: Filters) -> QualityReport:
    """Reliability of every dimension, from the running sums of people who answered all of it.

    The sums are kept for all results together, so a link filter does not apply here.
    """
    everyone = replace(filters, link_id=None)
    sums = rollup_sums(session, everyone, ("cvn", "cvs", "cov"))
    out = []
    for dim in rubric.dimensions:
        ids = [i.id for i in dim.items]
        n = sums.get(("cvn", dim.id, 0.0), (0, 0.0))[0]
        item_sums = {
            ids[a]: sums.get(("cvs", f"{dim.id}:{a}", 0.0), (0, 0.0))[1] for a in range(len(ids))
        }
        cross = {
            (ids[a], ids[b]): sums.get(("cov", f"{dim.id}:{a}:{b}", 0.0), (0, 0.0))[1]
            for a in range(len(ids))
            for b in range(a, len(ids))
        }
        out.append(DimensionQuality(dim, reliability(dim.id, ids, n, item_sums, cross)))
    return QualityReport(rubric, everyone, tuple(out))
