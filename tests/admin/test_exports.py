"""Exports round-trip through csv and json, honour filters, neutralise formulas, never leak tokens."""

import csv
import io
import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quizapp import db
from quizapp.exports import csv_lines, neutralise
from quizapp.models import Result
from tests.conftest import add_link, mini_answers

INJECTION = '=HYPERLINK("http://x","y")'


@pytest.fixture
def stored(app, staff):
    link_id, code = add_link(app, label=INJECTION)
    visitor = app.test_client()
    visitor.post(f"/q/{code}", data=mini_answers())
    visitor.post("/quiz", data=mini_answers(a1="ns", b2="1", s1="y"))
    with app.app_context():
        rows = (
            db.session()
            .scalars(select(Result).options(selectinload(Result.scores)).order_by(Result.id))
            .all()
        )
    return link_id, rows


def test_results_csv_matches_what_is_stored(staff, stored):
    _, rows = stored
    response = staff["root"].get("/admin/export/results.csv")
    assert response.mimetype == "text/csv"
    assert (
        response.headers["Content-Disposition"] == 'attachment; filename="quizapp_mini_results.csv"'
    )
    text = response.get_data(as_text=True)
    assert "\r\n" in text  # RFC 4180 line ends
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == 2
    for row, result in zip(table, rows, strict=True):
        assert row["completed_on"] == result.completed_on.isoformat()
        assert row["band"] == result.band
        assert float(row["overall"]) == result.overall
        for score in result.scores:
            assert float(row[f"dimension:{score.dimension_id}"]) == score.score
        for question, answer in result.answers.items():
            assert row[f"answer:{question}"] == ("" if answer is None else str(answer))
    assert table[0]["link_label"] == "'" + INJECTION  # neutralised
    assert table[1]["link_label"] == ""
    for result in rows:
        assert result.token not in text


def test_results_json_matches_and_honours_the_link_filter(staff, stored):
    link_id, rows = stored
    response = staff["root"].get(f"/admin/export/results.json?link={link_id}")
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    data = json.loads(response.get_data(as_text=True))
    assert len(data) == 1
    assert data[0]["answer:s1"] == "x" and data[0]["answer:a1"] == 4
    assert data[0]["overall"] == rows[0].overall
    assert all(r.token not in response.get_data(as_text=True) for r in rows)


def test_date_filter_can_empty_an_export(staff, stored):
    text = staff["root"].get("/admin/export/results.csv?until=2000-01-01").get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(text)))) == 1  # the header only


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_are_neutralised(value):
    assert neutralise(value) == "'" + value


def test_quoting_follows_rfc_4180():
    text = "".join(csv_lines([["a,b", 'say "hi"', "line\nbreak", 3]]))
    assert text == '"a,b","say ""hi""","line\nbreak",3\r\n'


def test_unknown_export_is_404(staff):
    assert staff["root"].get("/admin/export/everything.csv").status_code == 404
    assert staff["root"].get("/admin/export/results.xml").status_code == 404


def test_cli_export_to_a_file_and_stdout(app, stored, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "results.csv"
    result = runner.invoke(args=["export", "results", "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(list(csv.DictReader(out.open(newline="")))) == 2
    summary = runner.invoke(args=["export", "summary", "--format", "json", "--since", "2000-01-01"])
    data = json.loads(summary.output)
    assert {
        "section": "total",
        "key": "results",
        "label": "Results",
        "metric": "count",
        "value": 2,
    } in data
    link_only = runner.invoke(args=["export", "results", "--link", str(stored[0])])
    assert len(list(csv.reader(io.StringIO(link_only.output)))) == 2


def test_cli_export_unknown_rubric(app):
    result = app.test_cli_runner().invoke(args=["export", "results", "--rubric", "nope"])
    assert result.exit_code == 1
    assert "Unknown rubric 'nope'" in result.output


def test_cli_export_keeps_rubric_versions_apart(tpm_app):
    runner = tpm_app.test_cli_runner()
    unknown = runner.invoke(args=["export", "results", "--version", "9.9"])
    assert unknown.exit_code == 1
    assert "Version '9.9' of technical-project-manager is not loaded" in unknown.output
    # The archived version exports its own questions (four per dimension), not 2.0.0's six.
    old = runner.invoke(args=["export", "results", "--format", "csv", "--version", "1.0.0"])
    assert old.exit_code == 0, old.output
    header = old.output.splitlines()[0]
    assert "answer:arch-4" in header and "answer:arch-5" not in header
    new = runner.invoke(args=["export", "results", "--format", "csv"])
    assert "answer:arch-6" in new.output.splitlines()[0]
