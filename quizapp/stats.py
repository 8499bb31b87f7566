"""Aggregate queries over stored results, computed by the database (COUNT, AVG, GROUP BY)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from .models import Result, ResultScore


@dataclass(frozen=True)
class Filters:
    """Which results a figure covers; every dashboard figure and export honours these."""

    since: dt.date | None = None
    until: dt.date | None = None
    rubric_id: str | None = None
    rubric_version: str | None = None
    link_id: int | None = None

    def apply(self, query: Select) -> Select:
        if self.since is not None:
            query = query.where(Result.completed_on >= self.since)
        if self.until is not None:
            query = query.where(Result.completed_on <= self.until)
        if self.rubric_id is not None:
            query = query.where(Result.rubric_id == self.rubric_id)
        if self.rubric_version is not None:
            query = query.where(Result.rubric_version == self.rubric_version)
        if self.link_id is not None:
            query = query.where(Result.link_id == self.link_id)
        return query


@dataclass(frozen=True)
class DimensionStat:
    """Mean and spread of one dimension's scores over the results that have one."""

    dimension_id: str
    count: int
    mean: float | None
    sd: float | None


def result_count(session: Session, filters: Filters) -> int:
    return session.scalar(filters.apply(select(func.count()).select_from(Result))) or 0


def band_counts(session: Session, filters: Filters) -> dict[str | None, int]:
    """Number of results per band (None: no band, too few answers)."""
    query = filters.apply(select(Result.band, func.count()).group_by(Result.band))
    return {band: n for band, n in session.execute(query)}


def _scores(filters: Filters, *columns) -> Select:
    query = select(ResultScore.dimension_id, *columns).join(
        Result, Result.id == ResultScore.result_id
    )
    return filters.apply(query).group_by(ResultScore.dimension_id)


def dimension_stats(session: Session, filters: Filters) -> dict[str, DimensionStat]:
    """Count, mean and population standard deviation of each dimension's scores."""
    query = _scores(
        filters,
        func.count(ResultScore.score),
        func.avg(ResultScore.score),
        func.avg(ResultScore.score * ResultScore.score),
    )
    out = {}
    for dim_id, n, mean, mean_sq in session.execute(query):
        sd = math.sqrt(max(float(mean_sq) - float(mean) ** 2, 0.0)) if n else None
        out[dim_id] = DimensionStat(dim_id, n, float(mean) if n else None, sd)
    return out


def below_counts(session: Session, filters: Filters, threshold: float) -> dict[str, int]:
    """How many results score below ``threshold`` on each dimension (the rubric's gaps)."""
    below = func.sum(case((ResultScore.score < threshold, 1), else_=0))
    return {dim_id: int(n or 0) for dim_id, n in session.execute(_scores(filters, below))}
