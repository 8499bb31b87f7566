"""The rubric schema, loading rubric files, and validation with precise error locations."""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from . import yaml_safe

Ident = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]

LIKERT_MIN, LIKERT_MAX = 1, 5
POINTS_MAX = 4


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ScalePoint(_Frozen):
    value: int = Field(ge=LIKERT_MIN, le=LIKERT_MAX)
    label: Text


class Item(_Frozen):
    id: Ident
    text: Text
    keyed: Literal["plus", "minus"]
    twin: Ident | None = None
    source: Text | None = None  # where the statement's idea comes from (2.2.0 on: every one)

    def keyed_score(self, answer: float) -> float:
        """Return the 0-100 score of an answer on the 1-5 scale (whole, or lean-corrected and
        fractional), inverted for minus-keyed items."""
        points = answer - LIKERT_MIN if self.keyed == "plus" else LIKERT_MAX - answer
        return 100.0 * points / (LIKERT_MAX - LIKERT_MIN)


class Levels(_Frozen):
    """What a low, middling and high score on a dimension says about the person."""

    low: Text
    mid: Text
    high: Text


class NextStep(_Frozen):
    """A next step and where it comes from; a plain string in older rubrics (no source)."""

    text: Text
    source: Text | None = None


class Dimension(_Frozen):
    id: Ident
    name: Text
    definition: Text
    weight: float = Field(gt=0, le=100)
    source: Text
    strength_message: Text
    next_steps: tuple[NextStep, ...] = Field(min_length=1, max_length=6)
    levels: Levels | None = None
    items: tuple[Item, ...] = Field(min_length=3)

    @field_validator("next_steps", mode="before")
    @classmethod
    def _plain_steps(cls, steps):
        """A plain string is a step with no source of its own (rubrics before 2.2.0)."""
        if isinstance(steps, list | tuple):
            return [{"text": s} if isinstance(s, str) else s for s in steps]
        return steps

    @cached_property
    def item_ids(self) -> tuple[str, ...]:
        """The ids of the dimension's items (scoring looks each answer up)."""
        return tuple(i.id for i in self.items)

    @cached_property
    def sides(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The ids of the plus-keyed and of the minus-keyed items (the pairs of opposites)."""
        plus = tuple(i.id for i in self.items if i.keyed == "plus")
        return plus, tuple(i.id for i in self.items if i.keyed == "minus")


class Check(_Frozen):
    """An attention statement: not scored; an answer outside ``accept`` suggests inattention."""

    id: Ident
    text: Text
    accept: tuple[Annotated[int, Field(ge=LIKERT_MIN, le=LIKERT_MAX)], ...] = Field(
        min_length=1, max_length=4
    )


class Section(_Frozen):
    id: Ident
    title: Text
    intro: Text | None = None
    items: tuple[Ident, ...] = Field(min_length=1)


class Option(_Frozen):
    id: Ident
    text: Text
    points: dict[Ident, Annotated[int, Field(ge=0, le=POINTS_MAX)]] = Field(min_length=1)


class Scenario(_Frozen):
    id: Ident
    source: Text
    key_source: Text | None = None  # why the best option is best (2.2.0 on)
    prompt: Text
    options: tuple[Option, ...] = Field(min_length=2, max_length=6)

    @cached_property
    def most_points(self) -> dict[str, int]:
        """The most points any option gives each dimension it scores (worked out once: scoring
        asks for it for every result)."""
        dims = {d for o in self.options for d in o.points}
        return {d: max(o.points.get(d, 0) for o in self.options) for d in dims}

    @cached_property
    def points_of(self) -> dict[str, dict[str, int]]:
        """Each option's points by the option's id (scoring looks the chosen one up)."""
        return {o.id: o.points for o in self.options}


class Band(_Frozen):
    id: Ident
    label: Text
    min: float = Field(ge=0, le=100)
    max: float = Field(ge=0, le=100)
    message: Text


class FitCriterion(_Frozen):
    id: Ident
    text: Text
    source: Text
    based_on: Text | None = None  # the source in a few plain words, shown on the result page
    evidence: tuple[Ident, ...] = Field(min_length=1)
    at_least: float = Field(ge=0, le=100)


class NotFitCriterion(_Frozen):
    id: Ident
    text: Text
    source: Text
    based_on: Text | None = None
    evidence: tuple[Ident, ...] = Field(min_length=1)
    at_most: float = Field(ge=0, le=100)
    related_role: Ident | None = None
    # The fit criterion this one mirrors: same evidence, a lower bound, so both can never match.
    opposes: Ident | None = None


class RelatedRole(_Frozen):
    id: Ident
    title: Text
    description: Text
    source: Text
    # The role's typical profile on this rubric's dimensions (0-100), for ranking by similarity.
    profile: dict[Ident, Annotated[int, Field(ge=0, le=100)]] | None = None
    rationale: Text | None = None
    onet: str | None = Field(default=None, pattern=r"^\d{2}-\d{4}\.\d{2}$")  # O*NET-SOC code
    onet_title: Text | None = None  # that occupation's O*NET title, shown with the link
    profile_source: Text | None = None  # where the profile's shape comes from (2.2.0 on)

    @property
    def onet_url(self) -> str | None:
        """The occupation's O*NET OnLine summary page."""
        return f"https://www.onetonline.org/link/summary/{self.onet}" if self.onet else None

    @property
    def in_guide(self) -> bool:
        return "not in the guide" not in self.source


class Certification(_Frozen):
    name: Text
    what_for: Text


class EntrySteps(_Frozen):
    """How someone whose profile fits the role could move into it."""

    source: Text
    job_titles: tuple[Text, ...] = Field(min_length=1)
    first_project: Text
    certifications: tuple[Certification, ...] = ()


class CareerPath(_Frozen):
    source: Text
    steps: tuple[Text, ...] = Field(min_length=1)
    growth_drivers: tuple[Text, ...] = ()


class CoreRule(_Frozen):
    """The role's technical core: a band above ``capped_to`` needs this dimension at ``floor``,
    and, with ``evidence``, its statements (not only its scenarios) at least that high too:
    neutral answers are no evidence."""

    dimension: Ident
    floor: float = Field(ge=0, le=100)
    capped_to: Ident
    evidence: float | None = Field(default=None, ge=0, le=100)


class BackingRule(_Frozen):
    """What a person would do must back what they say of themselves: a band above ``capped_to``
    needs the everyday situations, all areas together, to score at least the statements' score
    plus ``margin``. Shading every statement towards its favourable end raises the statements
    alone, so it no longer reaches the top band (docs/validity.md, stress lab)."""

    capped_to: Ident
    margin: float = Field(default=0.0, ge=-50, le=50)
    # ... or at least this much: the best choices do not reach 100 in every area, so someone who
    # agrees fully with every favourable statement is backed by choices this good.
    enough: float | None = Field(default=None, ge=0, le=100)


class RoleRule(_Frozen):
    """How related roles are matched: ``level`` by the distance between a person's scores and a
    role's profile (2.0.0); ``shape`` by the correlation of the two profiles once each is centred
    on its own mean, distance second, and a role only when that correlation reaches
    ``min_fit`` (none may fit clearly)."""

    by: Literal["level", "shape"] = "level"
    min_fit: float = Field(default=0.3, ge=-1, le=1)


class NotSureRule(_Frozen):
    """How "Not sure" counts: as the keyed score ``counts_as`` (so that leaving out what one would
    rather not say gains nothing), and an area with more than ``most_per_area`` of them is not
    scored at all ("not enough to say"). Without this rule "Not sure" is left out."""

    counts_as: float = Field(ge=0, le=100)
    most_per_area: int | None = Field(default=None, ge=0)


class QualityRules(_Frozen):
    """When a sitting's answers are too inconsistent to give a band (see docs/scoring.md)."""

    max_inconsistency: float = Field(default=40, ge=0, le=100)
    max_inconsistency_with_failed_check: float = Field(default=30, ge=0, le=100)
    max_failed_checks: int = Field(default=1, ge=0)
    max_both_sides: float = Field(default=0.5, gt=0, le=1)
    min_pairs: int = Field(default=6, ge=1)
    # Judge consistency after taking out the person's own lean towards agreeing (their mean answer
    # over all statements, which measures nothing when keying is balanced): a stable tendency to
    # agree is a style, not carelessness.
    lean_corrected: bool = False
    # No verdict when this share of the statements or more got one and the same answer
    # ("Neither" throughout says nothing; agreeing with everything is a habit, not a view).
    max_same_answer: float | None = Field(default=None, gt=0, le=1)


class ScoringRules(_Frozen):
    scenario_weight: float = Field(default=0.25, ge=0, le=1)
    min_answered_ratio: float = Field(default=0.75, gt=0, le=1)
    strength_threshold: float = Field(default=70, ge=0, le=100)
    gap_threshold: float = Field(default=55, ge=0, le=100)
    max_strengths: int = Field(default=3, ge=1, le=10)
    max_gaps: int = Field(default=3, ge=1, le=10)
    grow_next: int = Field(default=2, ge=0, le=10)
    top_roles: int = Field(default=3, ge=1, le=10)
    core: CoreRule | None = None
    backing: BackingRule | None = None
    quality: QualityRules | None = None
    not_sure: NotSureRule | None = None
    roles: RoleRule = RoleRule()
    # A strength or gap is named only this far past its line; nearer, the area is "around the
    # line" (a second sitting could put it on either side). None: named at the line itself.
    label_margin: float | None = Field(default=None, ge=0, le=50)
    # "Near the line" within this many standard errors of a band's boundary (docs/validity.md).
    near_sems: float = Field(default=1.0, gt=0, le=3)


class Spread(_Frozen):
    sd: float = Field(gt=0, le=100)
    reliability: float = Field(ge=0, lt=1)

    @property
    def sem(self) -> float:
        """Standard error of measurement: SD x sqrt(1 - reliability)."""
        return self.sd * (1 - self.reliability) ** 0.5


class Precision(_Frozen):
    """How precise the scores are, from the rubric's reliability (see docs/validity.md)."""

    source: Text
    overall: Spread
    dimension: Spread
    # Of the people told they are near a band's line, how many in 100 get the other band on a
    # retest (the stress lab's base model): the rate the near-line message states.
    near_changes: int | None = Field(default=None, ge=0, le=100)


class Rubric(_Frozen):
    """A validated rubric: immutable, loaded once at start-up."""

    id: Ident
    version: Text
    title: Text
    role: Text
    intro: Text
    estimated_minutes: int = Field(ge=1, le=60)
    disclaimer: Text
    source: Text
    scale: tuple[ScalePoint, ...] = Field(min_length=5, max_length=5)
    not_sure_label: Text = "Not sure"
    scoring: ScoringRules = ScoringRules()
    dimensions: tuple[Dimension, ...] = Field(min_length=1, max_length=12)
    sections: tuple[Section, ...] = Field(min_length=1)
    scenarios: tuple[Scenario, ...] = ()
    bands: tuple[Band, ...] = Field(min_length=1)
    checks: tuple[Check, ...] = Field(default=(), max_length=4)
    fit_criteria: tuple[FitCriterion, ...] = ()
    not_fit_criteria: tuple[NotFitCriterion, ...] = ()
    related_roles: tuple[RelatedRole, ...] = ()
    entry_steps: EntrySteps | None = None
    career_path: CareerPath | None = None
    precision: Precision | None = None
    content_hash: str = Field(default="", exclude=True)

    @cached_property
    def items(self) -> tuple[Item, ...]:
        """Every scored Likert item, in dimension order."""
        return tuple(item for d in self.dimensions for item in d.items)

    @property
    def question_count(self) -> int:
        """Every question a person answers: statements, attention checks and scenarios."""
        return len(self.items) + len(self.checks) + len(self.scenarios)

    @property
    def question_numbers(self) -> dict[str, int]:
        """The number the quiz page shows for each question: sections in order, then scenarios."""
        order = [*(i for s in self.sections for i in s.items), *(s.id for s in self.scenarios)]
        return {question_id: n for n, question_id in enumerate(order, start=1)}

    @property
    def ranks_roles(self) -> bool:
        """Whether related roles carry profiles and are ranked by similarity."""
        return bool(self.related_roles) and all(r.profile for r in self.related_roles)

    @cached_property
    def _keyed_tables(self) -> tuple[tuple[str, dict[int, float]], ...]:
        """Each item's id with the keyed score of every answer on the scale (worked out once:
        every submission looks up all of them)."""
        values = range(LIKERT_MIN, LIKERT_MAX + 1)
        return tuple((i.id, {v: i.keyed_score(v) for v in values}) for i in self.items)

    @cached_property
    def twins(self) -> tuple[tuple[str, str], ...]:
        """Each reverse-keyed item that mirrors a plus item, with that item: (minus, plus)."""
        return tuple((i.id, i.twin) for i in self.items if i.twin is not None)

    @cached_property
    def weights(self) -> dict[str, float]:
        """Each dimension's weight in the overall score, by id."""
        return {d.id: d.weight for d in self.dimensions}

    def keyed_scores(self, answers) -> dict[str, float]:
        """The keyed 0-100 score of every answered statement (Not sure and missing left out)."""
        out = {}
        for item_id, table in self._keyed_tables:
            keyed = table.get(answers.get(item_id))  # None for "Not sure", missing, or a scenario
            if keyed is not None:
                out[item_id] = keyed
        return out

    def item(self, item_id: str) -> Item:
        return next(i for i in self.items if i.id == item_id)

    def dimension(self, dimension_id: str) -> Dimension:
        return next(d for d in self.dimensions if d.id == dimension_id)

    def dimension_of(self, item_id: str) -> Dimension:
        return next(d for d in self.dimensions if any(i.id == item_id for i in d.items))

    def related_role(self, role_id: str | None) -> RelatedRole | None:
        return next((r for r in self.related_roles if r.id == role_id), None)

    def band_for(self, score: float) -> Band:
        """Return the band a 0-100 overall score falls in."""
        for band in self.bands:
            if band.min <= score < band.max:
                return band
        return max(self.bands, key=lambda b: b.max)  # the top band includes 100


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a rubric file: where it is and what it is."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class RubricError(ValueError):
    """A rubric file that cannot be used, with every problem found in it."""

    def __init__(self, path: str | Path, problems: Iterable[Problem]):
        self.path = str(path)
        self.problems = tuple(problems)
        lines = "\n".join(f"  {self.path}: {p}" for p in self.problems)
        super().__init__(f"Invalid rubric {self.path}:\n{lines}")


def format_location(loc: Iterable[str | int]) -> str:
    """Turn a pydantic location tuple into ``dimensions[2].items[0].keyed``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_PYDANTIC_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
}


def _describe(error: dict) -> str:
    """Say what pydantic found wrong in words; a value from the file is shown cut short."""
    kind = error["type"]
    if kind in _PYDANTIC_MESSAGES:
        return _PYDANTIC_MESSAGES[kind]
    if kind == "string_pattern_mismatch":
        return "must be lowercase letters, digits and hyphens (for example 'stakeholder-alignment')"
    if kind in ("too_short", "too_long"):
        ctx = error["ctx"]
        bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        word = "at least" if kind == "too_short" else "at most"
        return f"needs {word} {bound} entries, not {ctx.get('actual_length')}"
    if kind == "literal_error":
        shown = yaml_safe.short_repr(error["input"])
        return f"must be one of {error['ctx']['expected']}, not {shown}"
    return error["msg"][:1].lower() + error["msg"][1:]


def _sort_key(problem: Problem) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[\[\].]+", problem.location))


def _duplicates(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    dup = []
    for v in values:
        if v in seen and v not in dup:
            dup.append(v)
        seen.add(v)
    return dup


def cross_check(rubric: Rubric) -> list[Problem]:
    """Return the problems that the schema alone cannot see: ids, references, coverage."""
    problems: list[Problem] = []
    add = problems.append
    dim_ids = [d.id for d in rubric.dimensions]
    item_ids = [i.id for i in rubric.items]
    check_ids = [c.id for c in rubric.checks]
    question_ids = item_ids + check_ids + [s.id for s in rubric.scenarios]
    role_ids = {r.id for r in rubric.related_roles}

    values = [p.value for p in rubric.scale]
    if sorted(values) != list(range(LIKERT_MIN, LIKERT_MAX + 1)):
        add(Problem("scale", "must list the values 1, 2, 3, 4 and 5 once each"))
    for dup in _duplicates(dim_ids):
        add(Problem("dimensions", f"dimension id {dup!r} is used more than once"))
    for dup in _duplicates(question_ids):
        add(Problem("dimensions", f"question id {dup!r} is used more than once"))
    for where, ids in (
        ("sections", [s.id for s in rubric.sections]),
        ("bands", [b.id for b in rubric.bands]),
        ("related_roles", list(role_ids)),
        ("fit_criteria", [c.id for c in rubric.fit_criteria]),
        ("not_fit_criteria", [c.id for c in rubric.not_fit_criteria]),
    ):
        for dup in _duplicates(ids):
            add(Problem(where, f"id {dup!r} is used more than once"))

    for d_index, dim in enumerate(rubric.dimensions):
        here = f"dimensions[{d_index}]"
        if not any(i.keyed == "minus" for i in dim.items):
            add(Problem(f"{here}.items", "needs at least one reverse-keyed item (keyed: minus)"))
        own = {i.id: i for i in dim.items}
        for i_index, item in enumerate(dim.items):
            if item.twin is None:
                continue
            where = f"{here}.items[{i_index}].twin"
            if item.keyed != "minus":
                add(Problem(where, "only a reverse-keyed (minus) item can name a twin"))
            elif item.twin not in own:
                add(Problem(where, f"names {item.twin!r}, which is not an item of this dimension"))
            elif own[item.twin].keyed != "plus":
                add(Problem(where, f"names {item.twin!r}, which is not a plus-keyed item"))

    placed: list[str] = []
    for s_index, section in enumerate(rubric.sections):
        for q_index, ref in enumerate(section.items):
            if ref not in item_ids and ref not in check_ids:
                add(Problem(f"sections[{s_index}].items[{q_index}]", f"unknown item {ref!r}"))
            placed.append(ref)
    for dup in _duplicates(placed):
        add(Problem("sections", f"item {dup!r} is placed in more than one section"))
    for missing in [i for i in item_ids + check_ids if i not in placed]:
        add(Problem("sections", f"item {missing!r} is not placed in any section"))

    for sc_index, scenario in enumerate(rubric.scenarios):
        for dup in _duplicates(o.id for o in scenario.options):
            add(Problem(f"scenarios[{sc_index}].options", f"option id {dup!r} is used twice"))
        for o_index, option in enumerate(scenario.options):
            for dim_id in option.points:
                if dim_id not in dim_ids:
                    add(
                        Problem(
                            f"scenarios[{sc_index}].options[{o_index}].points.{dim_id}",
                            f"unknown dimension {dim_id!r}",
                        )
                    )

    problems.extend(_check_bands(rubric.bands))

    evidence_ids = set(dim_ids) | set(item_ids)
    for where, criteria in (
        ("fit_criteria", rubric.fit_criteria),
        ("not_fit_criteria", rubric.not_fit_criteria),
    ):
        for c_index, crit in enumerate(criteria):
            for e_index, ref in enumerate(crit.evidence):
                if ref not in evidence_ids:
                    add(
                        Problem(
                            f"{where}[{c_index}].evidence[{e_index}]",
                            f"unknown dimension or item {ref!r}",
                        )
                    )
            role = getattr(crit, "related_role", None)
            if role is not None and role not in role_ids:
                add(Problem(f"{where}[{c_index}].related_role", f"unknown related role {role!r}"))
    problems.extend(_check_opposites(rubric))
    problems.extend(_check_profiles_and_rules(rubric, dim_ids))
    return problems


def _check_opposites(rubric: Rubric) -> list[Problem]:
    """A not-fit criterion that opposes a fit criterion must exclude it by construction."""
    problems = []
    fit = {c.id: c for c in rubric.fit_criteria}
    for index, crit in enumerate(rubric.not_fit_criteria):
        if crit.opposes is None:
            continue
        where = f"not_fit_criteria[{index}]"
        other = fit.get(crit.opposes)
        if other is None:
            problems.append(Problem(f"{where}.opposes", f"unknown fit criterion {crit.opposes!r}"))
        elif sorted(other.evidence) != sorted(crit.evidence):
            problems.append(
                Problem(f"{where}.evidence", f"must be the same as {other.id!r}'s evidence")
            )
        elif crit.at_most >= other.at_least:
            problems.append(
                Problem(
                    f"{where}.at_most",
                    f"must be below {other.id!r}'s at_least ({other.at_least:g}), so that a "
                    "person can never match both",
                )
            )
    return problems


def _check_profiles_and_rules(rubric: Rubric, dim_ids: list[str]) -> list[Problem]:
    problems = []
    for index, role in enumerate(rubric.related_roles):
        if role.profile is not None and sorted(role.profile) != sorted(dim_ids):
            problems.append(
                Problem(
                    f"related_roles[{index}].profile",
                    "must give a value for each dimension: " + ", ".join(dim_ids),
                )
            )
    for index, role in enumerate(rubric.related_roles):
        if role.onet_title is not None and role.onet is None:
            problems.append(
                Problem(f"related_roles[{index}].onet_title", "needs the occupation's onet code")
            )
    if any(r.profile for r in rubric.related_roles) and not rubric.ranks_roles:
        problems.append(Problem("related_roles", "either every role has a profile or none has"))
    core = rubric.scoring.core
    if core is not None:
        if core.dimension not in dim_ids:
            problems.append(
                Problem("scoring.core.dimension", f"unknown dimension {core.dimension!r}")
            )
        if core.capped_to not in {b.id for b in rubric.bands}:
            problems.append(Problem("scoring.core.capped_to", f"unknown band {core.capped_to!r}"))
    backing = rubric.scoring.backing
    if backing is not None:
        if backing.capped_to not in {b.id for b in rubric.bands}:
            problems.append(
                Problem("scoring.backing.capped_to", f"unknown band {backing.capped_to!r}")
            )
        if not rubric.scenarios:
            problems.append(Problem("scoring.backing", "needs scenarios to back the statements"))
    for index, check in enumerate(rubric.checks):
        if len(set(check.accept)) != len(check.accept):
            problems.append(Problem(f"checks[{index}].accept", "lists a value twice"))
    return problems


def _check_bands(bands: tuple[Band, ...]) -> list[Problem]:
    problems = []
    for index, band in enumerate(bands):
        if band.min >= band.max:
            problems.append(Problem(f"bands[{index}]", "min must be below max"))
    ordered = sorted(bands, key=lambda b: b.min)
    if ordered[0].min != 0:
        problems.append(Problem("bands", f"scores from 0 to {ordered[0].min:g} fall in no band"))
    if ordered[-1].max != 100:
        problems.append(Problem("bands", f"scores from {ordered[-1].max:g} to 100 fall in no band"))
    for low, high in itertools.pairwise(ordered):
        if low.max < high.min:
            problems.append(
                Problem("bands", f"scores from {low.max:g} to {high.min:g} fall in no band")
            )
        elif low.max > high.min:
            problems.append(
                Problem(
                    "bands",
                    f"bands {low.id!r} and {high.id!r} overlap ({high.min:g} to {low.max:g})",
                )
            )
    return problems


MAX_PROBLEMS = 50  # listed per file; a file of garbage would otherwise give thousands


def parse(data: object, path: str | Path, content_hash: str = "") -> Rubric:
    """Validate already-parsed YAML data and return the rubric, or raise RubricError."""
    if not isinstance(data, dict):
        raise RubricError(path, [Problem("", "the file must hold a mapping of rubric fields")])
    try:
        rubric = Rubric.model_validate({**data, "content_hash": content_hash})
    except ValidationError as exc:
        problems = [
            Problem(_short_location(e["loc"]), _describe(e)) for e in exc.errors(include_url=False)
        ]
        raise RubricError(path, _at_most(sorted(problems, key=_sort_key))) from None
    problems = cross_check(rubric)
    if problems:
        raise RubricError(path, _at_most(problems))
    return rubric


def _short_location(loc: Iterable[str | int]) -> str:
    """The location of a pydantic error, with a mapping key from the file cut short."""
    return format_location(p if isinstance(p, int) else yaml_safe.shorten(p) for p in loc)


def _at_most(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    rest = len(problems) - MAX_PROBLEMS
    return [*problems[:MAX_PROBLEMS], Problem("", f"and {rest} more problems")]


def load_file(path: str | Path) -> Rubric:
    """Read, parse and validate one rubric file, within the size, depth and alias limits."""
    path = Path(path)
    try:
        data, raw = yaml_safe.load(path)
    except yaml_safe.LoadError as exc:
        raise RubricError(path, [Problem(exc.location, exc.message)]) from None
    return parse(data, path, hashlib.sha256(raw).hexdigest())


def _rubric_files(folder: Path) -> list[Path]:
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])


def load_folder(folder: str | Path) -> dict[str, Rubric]:
    """Load every ``*.yaml`` rubric in a folder, keyed by id; any invalid file stops the load."""
    folder = Path(folder)
    files = _rubric_files(folder)
    if not files:
        raise RubricError(folder, [Problem("", "holds no rubric files (*.yaml)")])
    rubrics: dict[str, Rubric] = {}
    for path in files:
        rubric = load_file(path)
        if rubric.id in rubrics:
            raise RubricError(
                path, [Problem("id", f"{rubric.id!r} is also the id of another rubric")]
            )
        rubrics[rubric.id] = rubric
    return rubrics


ARCHIVE = "archive"


def load_versions(folder: str | Path, current: dict[str, Rubric]) -> dict[tuple[str, str], Rubric]:
    """Every rubric version results may have been scored with: the current ones and ``archive/``.

    Archived versions are never served as a quiz; they are kept so that a result renders with
    the words and rules it was scored with.
    """
    versions = {(r.id, r.version): r for r in current.values()}
    for path in _rubric_files(Path(folder) / ARCHIVE):
        rubric = load_file(path)
        key = (rubric.id, rubric.version)
        if key in versions:
            raise RubricError(
                path, [Problem("version", f"{rubric.id} {rubric.version} is loaded twice")]
            )
        versions[key] = rubric
    return versions
