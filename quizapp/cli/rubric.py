"""``flask rubric``: check rubric files, simulate respondents, analyze stored answers."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..assessment.item_stats import ITEM_FLAG_TEXT, explain
from ..assessment.lint import lint
from ..assessment.rubric import Rubric, RubricError, load_file
from ..assessment.sim_report import format_report
from ..assessment.simulation import Model, simulate
from ..assessment.stress import MODELS as STRESS_MODELS
from ..assessment.stress import format_stress, stress_figures
from ..reporting.item_review import rubric_quality
from ..reporting.stats import Filters
from ..storage import db as database
from .common import fail, versioned_rubric

rubric_cli = AppGroup("rubric", help="Check rubric files.")


def summary(rubric: Rubric) -> str:
    """A short text summary of a valid rubric."""
    lines = [
        f"{rubric.id} {rubric.version}: {rubric.title}",
        f"  {len(rubric.dimensions)} dimensions, {len(rubric.items)} items, "
        f"{len(rubric.scenarios)} scenarios, about {rubric.estimated_minutes} minutes",
    ]
    for dim in rubric.dimensions:
        reverse = sum(1 for i in dim.items if i.keyed == "minus")
        lines.append(
            f"  - {dim.id}: {dim.name} (weight {dim.weight:g}; {len(dim.items)} items, "
            f"{reverse} reverse-keyed)"
        )
    lines.append("  bands: " + ", ".join(f"{b.label} {b.min:g}-{b.max:g}" for b in rubric.bands))
    return "\n".join(lines)


def summary_and_warnings(rubric: Rubric) -> str:
    """The summary, then every lint warning with its place in the file."""
    warnings = lint(rubric)
    lines = [summary(rubric)]
    if warnings:
        lines.append(f"  {len(warnings)} warning(s):")
        lines += [f"    warning: {w}" for w in warnings]
    else:
        lines.append("  no warnings")
    return "\n".join(lines)


@rubric_cli.command("check")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
def rubric_check(files: tuple[str, ...]) -> None:
    """Validate rubric FILES (default: the loaded rubrics); print a summary and lint warnings."""
    if not files:
        for rubric in current_app.extensions["quizapp.rubrics"].values():
            click.echo(summary_and_warnings(rubric))
        return
    failed = False
    for path in files:
        try:
            click.echo(summary_and_warnings(load_file(path)))
        except RubricError as exc:
            failed = True
            click.echo(str(exc), err=True)
    if failed:
        raise SystemExit(1)


@rubric_cli.command("simulate")
@click.argument("rubric_file", required=False, type=click.Path(dir_okay=False))
@click.option("--people", default=2000, show_default=True, type=click.IntRange(50, 200_000))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--loading", default=0.6, show_default=True, type=click.FloatRange(0.1, 0.95))
@click.option(
    "--stress",
    is_flag=True,
    help="Instead, the same figures under respondent models beyond the simulation's own.",
)
def rubric_simulate(
    rubric_file: str | None, people: int, seed: int, loading: float, stress: bool
) -> None:
    """Run simulated respondents with known traits through the real scoring (docs/validity.md).

    RUBRIC_FILE defaults to the default rubric. Prints reliability, rank recovery, retest
    agreement, bands by response style, unclear-sitting rates and related-role reach; with
    --stress, a table of figures under each stress model (uneven thresholds, a tendency to
    agree, a wording factor) with careless, faking and strategic "Not sure" sittings.
    """
    if rubric_file is None:
        rubric = current_app.extensions["quizapp.rubrics"][current_app.config["DEFAULT_RUBRIC"]]
    else:
        try:
            rubric = load_file(rubric_file)
        except RubricError as exc:
            fail(str(exc))
    if stress:
        figures = []
        for model in STRESS_MODELS:
            _progress(f"stress model: {model.name}")
            figures.append(stress_figures(rubric, model, people, seed, loading))
        click.echo(format_stress(rubric, figures))
        return
    report = simulate(
        rubric, people=people, seed=seed, model=Model(loading=loading), progress=_progress
    )
    click.echo(format_report(rubric, report))


def _progress(message: str) -> None:
    click.echo(f"... {message}", err=True)


@rubric_cli.command("analyze")
@click.argument("rubric_id", required=False)
@click.option("--version", "rubric_version", help="Only results of this rubric version.")
def rubric_analyze(rubric_id: str | None, rubric_version: str | None) -> None:
    """Cronbach's alpha and item-total correlations per dimension, from stored answers."""
    rubric = versioned_rubric(rubric_id, rubric_version)
    filters = Filters(rubric_id=rubric.id, rubric_version=rubric.version)
    report = rubric_quality(database.session(), rubric, filters)
    click.echo(f"{rubric.id} {rubric.version}")
    for line in report.dimensions:
        rel = line.reliability
        alpha = "n/a" if rel.alpha is None else f"{rel.alpha:.2f}"
        flag = f"  [{rel.flag}]" if rel.flag else ""
        click.echo(f"\n{line.dimension.name}: alpha {alpha}, {rel.n} complete answers{flag}")
        click.echo(f"  {explain(rel)}")
        for item, stat in zip(line.dimension.items, rel.items, strict=True):
            r = "n/a" if stat.corrected_item_total is None else f"{stat.corrected_item_total:+.2f}"
            note = f"  <- {ITEM_FLAG_TEXT[stat.flag]}" if stat.flag else ""
            click.echo(f"  {item.id:<10} r {r}  {item.text[:60]}{note}")
