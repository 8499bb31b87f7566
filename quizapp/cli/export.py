"""``flask export``: results, summaries and the codebook, in the registered formats."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from ..reporting.exports import ExportRefused, export_chunks, formats_for, rows_in
from ..reporting.stats import Filters, result_count
from ..storage import db as database
from .common import fail, versioned_rubric

export_cli = AppGroup("export", help="Export results, summaries or the codebook.")


def export_options(formats: tuple[str, ...]):
    """The filters every export takes, the same as on the admin dashboard."""

    def decorate(command):
        for option in reversed(
            [
                click.option(
                    "--format", "fmt", type=click.Choice(formats), default="csv", show_default=True
                ),
                click.option(
                    "--since", type=click.DateTime(["%Y-%m-%d"]), help="First day (YYYY-MM-DD)."
                ),
                click.option(
                    "--until", type=click.DateTime(["%Y-%m-%d"]), help="Last day (YYYY-MM-DD)."
                ),
                click.option(
                    "--rubric", "rubric_id", help="Rubric id (default: the default quiz)."
                ),
                click.option("--version", "rubric_version", help="Rubric version."),
                click.option("--link", "link_id", type=int, help="Quiz link id."),
                click.option("--bom", is_flag=True, help="Start a CSV with a UTF-8 BOM (Excel)."),
                click.option(
                    "-o",
                    "--output",
                    type=click.Path(dir_okay=False, writable=True),
                    help="Write to this file (default: standard output).",
                ),
            ]
        ):
            command = option(command)
        return command

    return decorate


def run_export(name, fmt, since, until, rubric_id, rubric_version, link_id, bom, output) -> None:
    if bom and fmt != "csv":
        fail("--bom applies to CSV only (JSON must not start with one).")
    if fmt == "xlsx" and output is None:
        fail("Give -o FILE for an XLSX workbook.")
    rubric = versioned_rubric(rubric_id, rubric_version)
    filters = Filters(
        since=since.date() if since else None,
        until=until.date() if until else None,
        rubric_id=rubric.id,
        rubric_version=rubric.version,  # versions are never mixed: their questions differ
        link_id=link_id,
    )
    session = database.session()
    try:
        chunks = export_chunks(session, name, fmt, filters, rubric, bom)
    except ExportRefused as exc:
        fail(str(exc))
    if output is None:
        for chunk in chunks:
            click.echo(chunk, nl=False)  # bytes go to the binary stream as they are
        return
    rows = result_count(session, filters) if name == "results" else 0
    with (
        open(output, "wb") as out,
        click.progressbar(length=rows, label=f"Writing {output}", file=sys.stderr) as bar,
    ):
        for chunk in chunks:
            out.write(chunk)
            if fmt != "xlsx":  # a workbook arrives whole, at the end
                bar.update(rows_in(chunk))
    click.echo(f"Wrote {output}.", err=True)


@export_cli.command("results")
@export_options(formats_for("results"))
def export_results(**options) -> None:
    """One row per result: ids, date, link, band, scores and answer codes (never the token).

    XLSX carries the codebook as its second sheet. A link with fewer than
    QUIZAPP_COHORT_MIN_SIZE results is not named in any row, and filters that select fewer
    results than that are refused.
    """
    run_export("results", **options)


@export_cli.command("summary")
@export_options(formats_for("summary"))
def export_summary(**options) -> None:
    """The dashboard's figures, under its rules; refused for fewer than k results."""
    run_export("summary", **options)


@export_cli.command("codebook")
@export_options(formats_for("codebook"))
def export_codebook(**options) -> None:
    """What each column of the results export holds: questions, codes, rounding."""
    run_export("codebook", **options)
