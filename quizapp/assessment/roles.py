"""Related roles ranked by how close their profile is to a person's, with the reason in words. Pure."""

from __future__ import annotations

import math
from collections.abc import Mapping

from .rubric import RelatedRole, Rubric

HEART = 2  # how many of a role's highest dimensions count as the heart of its work


def distance(role: RelatedRole, profile: Mapping[str, float]) -> float:
    """Root-mean-square gap between a role's profile and a person's, over the scored dimensions."""
    target = role.profile
    if not target:
        return math.inf
    total, shared = 0.0, 0  # in the profile's order, one pass (half the time of two)
    for dimension_id, value in profile.items():
        theirs = target.get(dimension_id)
        if theirs is not None:
            total += (theirs - value) ** 2
            shared += 1
    return math.sqrt(total / shared) if shared else math.inf


def shape(role: RelatedRole, profile: Mapping[str, float]) -> float | None:
    """How alike the two profiles' shapes are: the correlation of a person's scores with a
    role's profile over the scored dimensions, each centred on its own mean (level left out).
    None when either is flat or fewer than three dimensions are shared."""
    target = role.profile or {}
    pairs = [(value, target[d]) for d, value in profile.items() if d in target]
    if len(pairs) < 3:
        return None
    mine = sum(p for p, _ in pairs) / len(pairs)
    theirs = sum(t for _, t in pairs) / len(pairs)
    cross = sum((p - mine) * (t - theirs) for p, t in pairs)
    spread = math.sqrt(
        sum((p - mine) ** 2 for p, _ in pairs) * sum((t - theirs) ** 2 for _, t in pairs)
    )
    return cross / spread if spread else None


def rank_roles(rubric: Rubric, profile: Mapping[str, float]) -> list[tuple[RelatedRole, float]]:
    """Related roles with a profile, closest first (ties keep the rubric's order), as the
    rubric's role rule says: by level (distance), or by shape with level second, where only
    roles whose shape correlates at ``min_fit`` or more are listed."""
    roles = [r for r in rubric.related_roles if r.profile]
    rule = rubric.scoring.roles
    if rule.by == "level":
        return sorted(((r, distance(r, profile)) for r in roles), key=lambda pair: pair[1])
    shaped = [(r, shape(r, profile), distance(r, profile)) for r in roles]
    fitting = [(r, s, d) for r, s, d in shaped if s is not None and s >= rule.min_fit]
    return [(r, d) for r, _, d in sorted(fitting, key=lambda t: (-t[1], t[2]))]


def _top(values: Mapping[str, float], order: Mapping[str, int], count: int) -> list[str]:
    return sorted(values, key=lambda d: (-values[d], order[d]))[:count]


def _names(rubric: Rubric, ids: list[str]) -> str:
    names = [rubric.dimension(d).name.lower() for d in ids]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def reason(rubric: Rubric, role: RelatedRole, profile: Mapping[str, float]) -> str:
    """Why a role is suggested, from the overlap of the person's and the role's highest areas."""
    order = {d.id: n for n, d in enumerate(rubric.dimensions)}
    heart = _top(role.profile or {}, order, HEART)
    mine = _top(profile, order, 3)
    shared = [d for d in heart if d in mine]
    article = "an" if role.title[:1].lower() in "aeiou" else "a"
    if len(shared) == len(heart) == 2:
        return (
            f"Your highest areas, {_names(rubric, shared)}, are the heart of {article} "
            f"{role.title}'s work."
        )
    if shared:
        return (
            f"One of your highest areas, {_names(rubric, shared)}, is at the heart of "
            f"{article} {role.title}'s work."
        )
    lowest = [d for d in _top({k: -v for k, v in (role.profile or {}).items()}, order, 2)]
    return (
        f"Your profile is close to this role's overall shape: it asks less of "
        f"{_names(rubric, lowest)} than a {rubric.role} role does."
    )
