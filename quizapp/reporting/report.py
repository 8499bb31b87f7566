"""The result report: a stored result joined with its rubric's words, ready for a template or JSON."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..assessment.quality import REASONS
from ..assessment.roles import reason
from ..assessment.rubric import (
    Band,
    Dimension,
    FitCriterion,
    NotFitCriterion,
    RelatedRole,
    Rubric,
    Scenario,
)
from ..assessment.scoring import NOTES, round_half_up
from ..storage.models import Result


@dataclass(frozen=True)
class DimensionLine:
    dimension: Dimension
    score: int | None  # rounded for display; None: not enough answers
    strength: bool
    gap: bool
    level: str | None = None  # "low", "mid" or "high", for rubrics that interpret levels

    @property
    def interpretation(self) -> str | None:
        """What this level of the dimension says about the person, if the rubric says."""
        levels = self.dimension.levels
        return getattr(levels, self.level) if levels and self.level else None


@dataclass(frozen=True)
class RoleLine:
    role: RelatedRole
    reason: str


@dataclass(frozen=True)
class NotFitLine:
    criterion: NotFitCriterion
    role: RelatedRole | None


@dataclass(frozen=True)
class AreaSources:
    """Where one area's statements come from: each distinct source, first seen first, with how
    many of the area's statements rest on it, and how many name none."""

    dimension: Dimension
    sources: tuple[tuple[str, int], ...]
    unsourced: int = 0


def statement_sources(rubric: Rubric) -> tuple[AreaSources, ...]:
    """The statements' sources area by area; none at all for a rubric whose statements name no
    source (the archived versions), so the page shows no empty list."""
    if not any(i.source for i in rubric.items):
        return ()
    return tuple(
        AreaSources(
            dim,
            tuple(Counter(i.source for i in dim.items if i.source).items()),
            sum(1 for i in dim.items if not i.source),
        )
        for dim in rubric.dimensions
    )


def scenario_keys(rubric: Rubric) -> tuple[tuple[int, Scenario], ...]:
    """Each scenario with its number on the quiz page, when any says why its best option is
    best (2.2.0 on); none otherwise."""
    if not any(s.key_source for s in rubric.scenarios):
        return ()
    numbers = rubric.question_numbers
    return tuple((numbers[s.id], s) for s in rubric.scenarios)


def step_sources(rubric: Rubric) -> tuple[Dimension, ...]:
    """The areas whose next steps are listed with their sources: every area, when any step names
    a source (2.2.0 on); none otherwise."""
    if not any(s.source for d in rubric.dimensions for s in d.next_steps):
        return ()
    return rubric.dimensions


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
    grow: tuple[DimensionLine, ...] = ()
    roles: tuple[RoleLine, ...] = ()
    unclear: tuple[str, ...] = ()  # why the answers give no clear picture (no band then)
    near: tuple[Band, Band] | None = None
    capped: bool = False
    unbacked: dict | None = None  # {"said": .., "done": ..}: the situations did not back the band
    unsure: tuple[tuple[Dimension, int], ...] = ()  # "Not sure" answers counted, per area

    @property
    def unsure_counted_as(self) -> str:
        """What a counted "Not sure" stands for, in the scale's words where it is one of them."""
        rule = self.rubric.scoring.not_sure
        if rule is None:
            return ""
        step = rule.counts_as / 25
        labels = {p.value: p.label for p in self.rubric.scale}
        if step.is_integer() and int(step) + 1 in labels:
            return f"“{labels[int(step) + 1]}”"
        return f"{rule.counts_as:g} out of 100"

    @property
    def no_clear_role(self) -> bool:
        """Related roles are matched by shape and none of them fits this profile clearly."""
        return bool((self.result.profile or {}).get("no_role_fits"))

    @property
    def ranked_roles(self) -> bool:
        """Whether this result ranks related roles by profile (rubric 2.0 on)."""
        return bool(self.roles)

    @property
    def entry_steps(self):
        """How to move into the role: shown to people in the top band."""
        top = max(self.rubric.bands, key=lambda b: b.min)
        if self.band is not None and self.band.id == top.id:
            return self.rubric.entry_steps
        return None

    @property
    def statement_sources(self) -> tuple[AreaSources, ...]:
        return statement_sources(self.rubric)

    @property
    def scenario_keys(self) -> tuple[tuple[int, Scenario], ...]:
        return scenario_keys(self.rubric)

    @property
    def step_sources(self) -> tuple[Dimension, ...]:
        return step_sources(self.rubric)

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


def _level(rubric: Rubric, score: float | None, around: bool = False) -> str | None:
    if score is None:
        return None
    if around:  # too near a line to say which side (the rubric's label_margin)
        return "around"
    # The same unrounded comparison as strengths and gaps, so the text never contradicts them.
    if score < rubric.scoring.gap_threshold:
        return "low"
    return "high" if score >= rubric.scoring.strength_threshold else "mid"


def build_report(rubric: Rubric, result: Result) -> Report:
    """Join a stored result with the rubric it was scored against."""
    profile = result.profile or {}
    strengths, gaps = set(profile.get("strengths", ())), set(profile.get("gaps", ()))
    around = set(profile.get("around", ()))
    known = {d.id: d for d in rubric.dimensions}
    lines = tuple(
        DimensionLine(
            known[s.dimension_id],
            _rounded(s.score),
            s.dimension_id in strengths,
            s.dimension_id in gaps,
            _level(rubric, s.score, s.dimension_id in around),
        )
        for s in result.scores
        if s.dimension_id in known
    )
    scores = {s.dimension_id: s.score for s in result.scores if s.score is not None}
    by_id = {line.dimension.id: line for line in lines}
    fit = tuple(c for c in rubric.fit_criteria if c.id in profile.get("fit", ()))
    not_fit = tuple(
        NotFitLine(c, rubric.related_role(c.related_role))
        for c in rubric.not_fit_criteria
        if c.id in profile.get("not_fit", ())
    )
    band = next((b for b in rubric.bands if b.id == result.band), None)
    bands = {b.id: b for b in rubric.bands}
    near = profile.get("near")
    roles = tuple(
        RoleLine(role, reason(rubric, role, scores))
        for role_id in profile.get("roles", ())
        if (role := rubric.related_role(role_id)) is not None
    )
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
        grow=tuple(by_id[d] for d in profile.get("grow", ()) if d in by_id),
        roles=roles,
        unclear=tuple(REASONS[n] for n in result.notes if n in REASONS),
        near=(bands[near[0]], bands[near[1]]) if near and all(b in bands for b in near) else None,
        capped=bool(profile.get("capped")),
        unbacked=profile.get("unbacked"),
        unsure=tuple(
            (known[d], n) for d, n in profile.get("unsure", {}).items() if d in known and n
        ),
    )


def as_json(result: Result) -> dict:
    """The public JSON form of a result: whole-number figures only, no answers and no token."""
    profile = result.profile or {}
    return {
        "rubric": {"id": result.rubric_id, "version": result.rubric_version},
        "completed_on": result.completed_on.isoformat(),
        "band": result.band,
        "overall": _rounded(result.overall),
        "dimensions": {s.dimension_id: _rounded(s.score) for s in result.scores},
        "strengths": list(profile.get("strengths", ())),
        "gaps": list(profile.get("gaps", ())),
        "grow_next": list(profile.get("grow", ())),
        "related_roles": list(profile.get("roles", ())),
        "notes": list(result.notes),
    }
