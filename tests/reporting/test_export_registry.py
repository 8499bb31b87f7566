"""Export formats come from one registry: the admin page, `flask export` and export_chunks read it."""

import re
from dataclasses import replace

import pytest

from quizapp.reporting.exports import (
    EXPORTS,
    FORMATS,
    TABLES,
    ExportRefused,
    Format,
    export_chunks,
    formats_for,
    register,
    result_header,
)
from quizapp.reporting.stats import Filters
from quizapp.storage import db
from tests.conftest import make_app, mini_answers

MINIMUM = 3  # QUIZAPP_COHORT_MIN_SIZE for these tests
LINK = re.compile(r'href="/admin/export/(\w+)\.([\w-]+)(\?bom=1)?">([^<]*)</a>')


@pytest.fixture
def app(tmp_path, migrated_db):
    return make_app(tmp_path, migrated_db, COHORT_MIN_SIZE=MINIMUM)


def submit(app, count: int) -> None:
    for _ in range(count):
        assert app.test_client().post("/quiz", data=mini_answers()).status_code in (302, 303)


def links(page: str, name: str) -> set[tuple[str, bool]]:
    return {(fmt, bool(bom)) for n, fmt, bom, _ in LINK.findall(page) if n == name}


def test_every_format_has_a_unique_name_and_extension_and_a_writer():
    assert {"csv", "json", "xlsx"} <= FORMATS.keys()
    names = [f.name for f in FORMATS.values()]
    extensions = [f.extension for f in FORMATS.values()]
    assert len(set(names)) == len(names) and len(set(extensions)) == len(extensions)
    for key, fmt in FORMATS.items():
        assert key == fmt.name and fmt.label and fmt.content_type and callable(fmt.write)
        assert fmt.exports and all(set(tables) <= TABLES.keys() for tables in fmt.exports.values())
        assert set(fmt.bom_listed) <= fmt.exports.keys()
    assert FORMATS["csv"].bom_label == "CSV for Excel"  # the BOM variant, not a format of its own
    for clash in (replace(FORMATS["csv"], label="Other"), replace(FORMATS["csv"], name="text")):
        with pytest.raises(ValueError, match="clashes"):
            register(clash)
    with pytest.raises(ValueError, match="unknown tables"):
        register(replace(FORMATS["csv"], name="x", extension="x", exports={"people": ("people",)}))
    assert names == [f.name for f in FORMATS.values()]


def test_the_dashboard_links_exactly_the_registered_formats(app, staff):
    admin = staff["root"]
    submit(app, 1)
    withheld = admin.get("/admin/").get_data(as_text=True)  # fewer than k: the codebook only
    assert links(withheld, "results") == links(withheld, "summary") == set()
    assert links(withheld, "codebook") == {(fmt, False) for fmt in formats_for("codebook")}

    submit(app, MINIMUM - 1)
    page = admin.get("/admin/").get_data(as_text=True)
    for name in TABLES:
        expected = {(fmt, False) for fmt in formats_for(name)}
        expected |= {(f.name, True) for f in FORMATS.values() if name in f.bom_listed}
        assert links(page, name) == expected, name
    labels = [label for n, *_, label in LINK.findall(page) if n == "results"]
    assert labels == [
        "Results (CSV)",
        "Results (CSV for Excel)",
        "Results with codebook (XLSX)",
        "Results (JSON)",
    ]


@pytest.mark.parametrize("name", list(TABLES))
def test_flask_export_offers_exactly_the_registered_formats(app, name):
    """`flask --app quizapp export results --help` (and summary, codebook) lists the registry."""
    shown = app.test_cli_runner().invoke(args=["export", name, "--help"])
    assert shown.exit_code == 0, shown.output
    choices = re.search(r"--format \[([^\]]+)\]", shown.output).group(1).split("|")
    assert set(choices) == set(formats_for(name))


def toy_writer(session, tables, bom):
    """A made-up format: each table as its name, its header, then one line per row."""
    for name, table in tables:
        yield f"# {name}\n{'|'.join(table.header)}\n".encode()
        for rows in table.chunks():
            for row in rows:
                yield ("|".join("" if v is None else str(v) for v in row) + "\n").encode()


def test_a_registered_format_reaches_export_chunks_and_the_admin_page(app, staff):
    toy = Format(
        name="toy",
        label="Toy",
        extension="toy",
        content_type="text/plain; charset=utf-8",
        write=toy_writer,
        exports={"results": ("results", "codebook")},
    )
    rubric = app.extensions["quizapp.rubrics"]["mini"]
    filters = Filters(rubric_id="mini", rubric_version="0.1")
    admin = staff["root"]
    submit(app, MINIMUM - 1)
    try:
        register(toy)
        assert EXPORTS[("results", "toy")] == ("results", "codebook")
        with app.app_context(), pytest.raises(ExportRefused, match="fewer than"):
            export_chunks(db.session(), "results", "toy", filters, rubric)  # the same k rule

        submit(app, 1)
        with app.app_context():
            text = b"".join(export_chunks(db.session(), "results", "toy", filters, rubric))
        lines = text.decode().splitlines()
        header = result_header(rubric)
        assert lines[:2] == ["# results", "|".join(header)]
        assert len(lines[2 : lines.index("# codebook")]) == MINIMUM
        assert lines[lines.index("# codebook") + 2].startswith("result_id|id|")

        response = admin.get("/admin/export/results.toy")
        assert response.status_code == 200 and response.data == text
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert response.headers["Content-Disposition"].endswith('_results.toy"')
        assert admin.get("/admin/export/summary.toy").status_code == 404
        page = admin.get("/admin/").get_data(as_text=True)
        assert '<a href="/admin/export/results.toy">Results with codebook (Toy)</a>' in page
    finally:
        FORMATS.pop("toy", None)
    assert ("results", "toy") not in EXPORTS
    assert admin.get("/admin/export/results.toy").status_code == 404
    assert "results.toy" not in admin.get("/admin/").get_data(as_text=True)
