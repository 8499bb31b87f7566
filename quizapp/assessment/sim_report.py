"""The simulation's figures as the plain-text report `rubric simulate` prints. Pure."""

from __future__ import annotations

from .item_stats import two_places
from .rubric import Rubric
from .simulation import STYLES, SimulationReport

TARGETS = "targets: alpha >= .70, rank recovery >= .80 (item loading .6)"


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _band_line(rubric: Rubric, shares: dict) -> str:
    labels = [(b.id, b.label) for b in sorted(rubric.bands, key=lambda b: -b.min)]
    labels.append((None, "no band"))
    return ", ".join(f"{label} {_pct(shares.get(key, 0.0))}" for key, label in labels)


def format_report(rubric: Rubric, report: SimulationReport) -> str:
    """Every figure of a simulation run, one block per question the figures answer."""
    m = report.model
    lines = [
        f"{rubric.id} {rubric.version}: {report.people} simulated people, seed {report.seed}",
        f"model: item loading {m.loading:g}, trait correlation {m.trait_correlation:g}, "
        f"'Not sure' {_pct(m.not_sure)}, careless slips on checks {_pct(m.careless)}",
        "",
        f"Per dimension ({TARGETS})",
        f"  {'dimension':<16} {'alpha':>6} {'rank r':>7} {'flip':>6} {'mean':>5} {'sd':>4}"
        "  item-total r",
    ]
    for d in report.dimensions:
        alpha = two_places(d.alpha) if d.alpha is not None else "-"
        items = " ".join(
            f"{item_id}={two_places(r) if r is not None else '-'}" for item_id, r in d.item_total
        )
        lines.append(
            f"  {d.dimension_id:<16} {alpha:>6} {d.rank_recovery:>7.2f} {_pct(d.flip_rate):>6} "
            f"{d.mean:>5.0f} {d.sd:>4.0f}  {items}"
        )
    lines += [
        "  (flip: a strength in one sitting and a gap in the other)",
        "",
        "Two sittings by the same people",
        f"  overall score: sd {report.overall_sd:.1f}, retest r {report.overall_reliability:.2f}",
        f"  same band: {_pct(report.band_agreement)}, Cohen's kappa {report.band_kappa:.2f}",
        "",
        "Bands by response style (no band: answers judged unclear, or too few)",
    ]
    for style in STYLES:
        lines.append(f"  {style:<13} {_band_line(rubric, report.band_shares[style])}")
    lines += ["", "Sittings judged unclear (no band given)"]
    lines += [f"  {style:<13} {_pct(report.flagged[style])}" for style in STYLES]
    for style, mean in report.statement_means.items():
        lines.append(f"  statement score of {style}: {mean:.1f} (50 means keying cancels out)")
    lines += ["", "Related roles: ranked first for honest people / for a group centred on each"]
    for role in rubric.related_roles:
        group = report.role_groups.get(role.id)
        mark = "yes" if group == role.id else f"no ({group})"
        lines.append(f"  {role.id:<24} {_pct(report.top_roles.get(role.id, 0.0)):>6}  {mark}")
    return "\n".join(lines)
