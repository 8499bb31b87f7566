"""The result report: a stored result joined with its rubric's words, ready for a template or JSON."""

from __future__ import annotations

from dataclasses import dataclass

from .assessment.rubric import Band, Dimension, FitCriterion, NotFitCriterion, RelatedRole, Rubric
from .assessment.scoring import NOTES, round_half_up
from .models import Result


@dataclass(frozen=True)
class DimensionLine:
    dimension: Dimension
    score: int | None  # rounded for display; None: not enough answers
    strength: bool
    gap: bool


@dataclass(frozen=True)
class NotFitLine:
    criterion: NotFitCriterion
    role: RelatedRole | None


@dataclass(frozen=True)
class Report:
    rubric: Rubric
    result: Result
    band: Band | None
    overall: int | None
    dimensions: tuple[DimensionLine, ...]
    strengths: tuple[DimensionLine, ...]
    gaps: tuple[DimensionLine, ...]
    fit: tuple[FitCriterion, ...]
    not_fit: tuple[NotFitLine, ...]
    notes: tuple[str, ...]
    answered: int
    total: int

    @property
    def roles_to_consider(self) -> tuple[RelatedRole, ...]:
        """Related roles named by the not-fit criteria that apply, each once."""
        seen: dict[str, RelatedRole] = {}
        for line in self.not_fit:
            if line.role is not None:
                seen.setdefault(line.role.id, line.role)
        return tuple(seen.values())


def _rounded(value: float | None) -> int | None:
    return None if value is None else int(round_half_up(value))


def build_report(rubric: Rubric, result: Result) -> Report:
    """Join a stored result with the rubric it was scored against."""
    profile = result.profile or {}
    strengths, gaps = set(profile.get("strengths", ())), set(profile.get("gaps", ()))
    known = {d.id: d for d in rubric.dimensions}
    lines = tuple(
        DimensionLine(
            known[s.dimension_id],
            _rounded(s.score),
            s.dimension_id in strengths,
            s.dimension_id in gaps,
        )
        for s in result.scores
        if s.dimension_id in known
    )
    by_id = {line.dimension.id: line for line in lines}
    fit = tuple(c for c in rubric.fit_criteria if c.id in profile.get("fit", ()))
    not_fit = tuple(
        NotFitLine(c, rubric.related_role(c.related_role))
        for c in rubric.not_fit_criteria
        if c.id in profile.get("not_fit", ())
    )
    band = next((b for b in rubric.bands if b.id == result.band), None)
    return Report(
        rubric=rubric,
        result=result,
        band=band,
        overall=_rounded(result.overall),
        dimensions=lines,
        strengths=tuple(by_id[d] for d in profile.get("strengths", ()) if d in by_id),
        gaps=tuple(by_id[d] for d in profile.get("gaps", ()) if d in by_id),
        fit=fit,
        not_fit=not_fit,
        notes=tuple(NOTES[n] for n in result.notes if n in NOTES),
        answered=result.answered,
        total=len(rubric.items),
    )


def as_json(result: Result) -> dict:
    """The public JSON form of a result: figures only, no answers and no token."""
    return {
        "rubric": {"id": result.rubric_id, "version": result.rubric_version},
        "completed_on": result.completed_on.isoformat(),
        "band": result.band,
        "overall": result.overall,
        "dimensions": {s.dimension_id: s.score for s in result.scores},
        "notes": list(result.notes),
    }
