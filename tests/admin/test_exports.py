"""Exports round-trip through csv and json, honour filters, neutralise formulas, never leak tokens."""

import csv
import io
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from quizapp.assessment.scoring import round_half_up
from quizapp.reporting.exports import csv_lines, neutralise
from quizapp.storage import db
from quizapp.storage.models import Result
from tests.conftest import add_link, add_result, mini_answers

INJECTION = '=HYPERLINK("http://x","y")'
MORE = 3  # results besides the two the tests look at


@pytest.fixture
def stored(app, staff):
    link_id, code = add_link(app, label=INJECTION)
    visitor = app.test_client()
    visitor.post(f"/q/{code}", data=mini_answers())
    visitor.post("/quiz", data=mini_answers(a1="ns", b2="1", s1="y"))
    for _ in range(MORE):  # an export needs k = 5 results (QUIZAPP_COHORT_MIN_SIZE)
        visitor.post("/quiz", data=mini_answers(b1="2"))
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
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response.headers["Content-Disposition"] == 'attachment; filename="quizapp_mini_results.csv"'
    )
    text = response.get_data(as_text=True)
    assert "\r\n" in text  # RFC 4180 line ends
    assert not text.startswith("\ufeff")  # a BOM only when asked for
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == 2 + MORE
    codes = {None: "0", "x": "1", "y": "2", "z": "3"}  # Not sure, then options in order
    for row, result in zip(table, rows, strict=True):
        assert row["result_id"] == str(result.id)
        assert row["completed_on"] == result.completed_on.isoformat()
        assert row["band_id"] == result.band
        assert float(row["overall"]) == result.overall
        for score in result.scores:
            assert row[f"dimension:{score.dimension_id}"] == f"{round_half_up(score.score, 1)}"
        for question, answer in result.answers.items():
            expected = codes[answer] if question == "s1" or answer is None else str(answer)
            assert row[f"answer:{question}"] == expected
    # One result came through the link, fewer than QUIZAPP_COHORT_MIN_SIZE: it is not named.
    assert {(r["link_id"], r["link_label"], r["counselor"]) for r in table} == {("", "", "")}
    for result in rows:
        assert result.token not in text


def test_results_json_matches_and_refuses_a_small_link_filter(staff, stored):
    link_id, rows = stored
    response = staff["root"].get("/admin/export/results.json")
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    data = json.loads(response.get_data(as_text=True))
    assert len(data) == 2 + MORE
    assert data[0]["answer:s1"] == 1 and data[0]["answer:a1"] == 4
    assert data[1]["answer:s1"] == 2 and data[1]["answer:a1"] == 0  # Not sure
    assert data[0]["overall"] == rows[0].overall
    assert data[0]["result_id"] == rows[0].id and data[0]["link_id"] is None
    assert all(r.token not in response.get_data(as_text=True) for r in rows)
    # The link filter would pick out the one person who used the link.
    refused = staff["root"].get(f"/admin/export/results.json?link={link_id}")
    assert refused.status_code == 403
    assert "This selection holds fewer than 5 results" in refused.get_json()["detail"]


def test_a_date_filter_that_selects_nothing_is_refused_too(staff, stored):
    """An empty selection is refused like a small one: "none" must look like "one"."""
    refused = staff["root"].get("/admin/export/results.csv?until=2000-01-01")
    assert refused.status_code == 403
    assert "This selection holds fewer than 5 results" in refused.get_data(as_text=True)


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
    assert len(list(csv.DictReader(out.open(newline="")))) == 2 + MORE
    summary = runner.invoke(args=["export", "summary", "--format", "json", "--since", "2000-01-01"])
    data = json.loads(summary.output)
    assert {
        "section": "total",
        "key": "results",
        "label": "Results",
        "metric": "count",
        "code": None,
        "value": 2 + MORE,
    } in data
    refused = runner.invoke(args=["export", "results", "--link", str(stored[0])])
    assert refused.exit_code == 1
    assert "This selection holds fewer than 5 results" in refused.output


def test_cli_export_unknown_rubric(app):
    result = app.test_cli_runner().invoke(args=["export", "results", "--rubric", "nope"])
    assert result.exit_code == 1
    assert "Unknown rubric 'nope'" in result.output


def test_cli_export_keeps_rubric_versions_apart(tpm_app):
    for version in ("1.0.0", "2.2.0"):  # k = 5 results of each, or the export is refused
        for _ in range(5):
            add_result(tpm_app, rubric_id="technical-project-manager", rubric_version=version)
    runner = tpm_app.test_cli_runner()
    unknown = runner.invoke(args=["export", "results", "--version", "9.9"])
    assert unknown.exit_code == 1
    assert "Version '9.9' of technical-project-manager is not loaded" in unknown.output
    # The archived version exports its own questions (four per dimension), not 2.2.0's six.
    old = runner.invoke(args=["export", "results", "--format", "csv", "--version", "1.0.0"])
    assert old.exit_code == 0, old.output
    header = old.output.splitlines()[0]
    assert "answer:arch-4" in header and "answer:arch-5" not in header
    new = runner.invoke(args=["export", "results", "--format", "csv"])
    assert "answer:arch-6" in new.output.splitlines()[0]


def bulk_results(app, count: int) -> None:
    """Store ``count`` results of the mini quiz at once (no running totals: exports skip them)."""
    import datetime as dt

    from sqlalchemy import insert

    from quizapp.storage.models import ResultScore

    answers = {q: 4 for q in ("a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4")} | {"s1": "y"}
    with app.app_context():
        session = db.session()
        start = session.scalar(select(func.coalesce(func.max(Result.id), 0)))
        ids = range(start + 1, start + count + 1)
        rows = [
            dict(
                id=i,
                token=f"t{i}",
                rubric_id="mini",
                rubric_version="0.1",
                rubric_hash="0" * 64,
                completed_on=dt.date(2026, 3, 1),
                overall=61.7,
                band="mid",
                answered=9,
                answers=answers,
                notes=[],
                profile={},
            )
            for i in ids
        ]
        session.execute(insert(Result), rows)
        scores = [
            dict(result_id=i, dimension_id=d, position=n, score=66.66666)
            for i in ids
            for n, d in enumerate(("alpha", "beta"))
        ]
        session.execute(insert(ResultScore), scores)
        session.commit()


def test_memory_stays_flat_however_many_rows(app, monkeypatch):
    """The export streams: ten times the rows needs about the same memory, far below the file."""
    import tracemalloc

    from quizapp.reporting import exports
    from quizapp.reporting.stats import Filters

    monkeypatch.setattr(exports, "CHUNK", 500)
    rubric = app.extensions["quizapp.rubrics"]["mini"]
    filters = Filters(rubric_id="mini", rubric_version="0.1")

    def peak_and_size() -> tuple[int, int]:
        with app.app_context():
            size = 0
            tracemalloc.start()
            for chunk in exports.export_chunks(db.session(), "results", "csv", filters, rubric):
                size += len(chunk)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        return peak, size

    bulk_results(app, 2_000)
    small_peak, _ = peak_and_size()
    bulk_results(app, 38_000)
    big_peak, big_size = peak_and_size()
    assert big_size > 40_000 * 60
    assert big_peak < 1.5 * small_peak + 256 * 1024, (small_peak, big_peak)
    assert big_peak < big_size / 2, (big_peak, big_size)
