"""What the exports say: codes, the codebook, rounding, bands, small links, headers, pandas types."""

import csv
import io
import json

import pandas as pd
import pytest

from quizapp.reporting.dashboard import OTHER_RESULTS
from quizapp.reporting.exports import CODEBOOK_HEADER, TABLES, result_header
from quizapp.reporting.stats import Filters
from quizapp.storage import db
from tests.conftest import ON_POSTGRES, add_link, make_app, mini_answers

MINIMUM = 3  # QUIZAPP_COHORT_MIN_SIZE for these tests
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def app(tmp_path, migrated_db):
    return make_app(tmp_path, migrated_db, COHORT_MIN_SIZE=MINIMUM)


def submit(app, code: str | None, **changes) -> None:
    path = f"/q/{code}" if code else "/quiz"
    assert app.test_client().post(path, data=mini_answers(**changes)).status_code in (302, 303)


@pytest.fixture
def linked(app, staff):
    """A link of three results (named), a link of one (not named) and one result without."""
    big, big_code = add_link(app, label="=Spring cohort", owner="anna")
    small, small_code = add_link(app, label="Ms Jones, one to one", owner="ben")
    submit(app, big_code)
    submit(app, big_code, a1="ns", b2="1", s1="y")
    submit(app, big_code, s1="z", b3="5")
    submit(app, small_code, a1="5")
    submit(app, None, b1="ns")
    return big, small


def get(staff, path: str):
    response = staff["root"].get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def test_a_row_names_a_link_only_once_it_has_k_results(staff, linked):
    big, small = linked
    rows = list(csv.DictReader(io.StringIO(get(staff, "/admin/export/results.csv").text)))
    named = [(r["link_id"], r["link_label"], r["counselor"]) for r in rows]
    assert named == [(str(big), "'=Spring cohort", "anna")] * 3 + [("", "", "")] * 2
    assert "Ms Jones" not in get(staff, "/admin/export/results.json").text
    assert staff["root"].get(f"/admin/export/results.csv?link={small}").status_code == 403
    only_big = get(staff, f"/admin/export/results.csv?link={big}").text
    assert len(list(csv.DictReader(io.StringIO(only_big)))) == 3


def test_summary_pools_small_links_and_counts_every_answer(app, staff, linked):
    big, _ = linked
    rows = json.loads(get(staff, "/admin/export/summary.json").text)
    # The big link's 3 would leave 2 other results, fewer than k, to be worked out by
    # subtraction: it joins them, and no link or counselor has a row.
    assert not [r for r in rows if r["section"] in ("link", "counselor")]
    answers = {(r["key"], r["code"]): r["value"] for r in rows if r["section"] == "answer"}
    assert answers[("a1", 0)] == 1 and answers[("a1", 4)] == 3 and answers[("a1", 5)] == 1
    assert answers[("s1", 1)] == 3 and answers[("s1", 2)] == 1 and answers[("s1", 3)] == 1
    assert sum(n for (q, _), n in answers.items() if q == "b3") == 5
    bands = [(r["key"], r["label"]) for r in rows if r["section"] == "band"]
    assert bands[:3] == [("low", "Low fit"), ("mid", "Middle fit"), ("high", "High fit")]

    submit(app, None)  # a third other result: now the big link can have a row of its own
    rows = json.loads(get(staff, "/admin/export/summary.json").text)
    links = [
        (r["key"], r["label"], r["metric"], r["value"]) for r in rows if r["section"] == "link"
    ]
    assert (big, "'=Spring cohort", "count", 3) in links
    assert (None, OTHER_RESULTS, "count", 3) in links  # the small link's 1 and 2 without
    assert not any("Jones" in str(r["label"]) or r["key"] == "ben" for r in rows)
    counselors = {(r["key"], r["metric"]): r["value"] for r in rows if r["section"] == "counselor"}
    link_mean = next(v for k, _, m, v in links if k == big and m == "mean overall")
    assert counselors == {
        ("anna", "links"): 1,
        ("anna", "count"): 3,
        ("anna", "mean overall"): link_mean,
    }


def test_one_rounding_rule_half_up_to_one_decimal(staff, linked):
    first = json.loads(get(staff, "/admin/export/results.json").text)[0]
    # alpha 81.25 and beta 56.25 exactly: half up gives .3 where Python's round() gives .2
    assert (first["dimension:alpha"], first["dimension:beta"], first["overall"]) == (
        81.3,
        56.3,
        72.9,
    )
    summary = list(csv.DictReader(io.StringIO(get(staff, "/admin/export/summary.csv").text)))
    means = [r["value"] for r in summary if r["metric"] in ("mean", "median", "mean overall")]
    assert means and all(v == "" or len(v.split(".")[1]) == 1 for v in means)


def test_codebook_numbers_questions_as_the_quiz_page(staff, app):
    rows = list(csv.DictReader(io.StringIO(get(staff, "/admin/export/codebook.csv").text)))
    assert list(rows[0]) == CODEBOOK_HEADER
    with app.app_context():
        rubric = app.extensions["quizapp.rubrics"]["mini"]
        assert [r["column"] for r in rows] == result_header(rubric)
    asked = [r for r in rows if r["question_number"]]
    order = ["a1", "b1", "a2", "b2", "a3", "b3", "a4", "b4", "s1"]  # part one, part two, scenarios
    assert [(r["question_number"], r["question_id"]) for r in asked] == [
        (str(n), q) for n, q in enumerate(order, 1)
    ]
    a4 = next(r for r in asked if r["question_id"] == "a4")
    assert (a4["section"], a4["dimension_id"], a4["keying"], a4["not_sure_code"]) == (
        "Part two",
        "alpha",
        "-",
        "0",
    )
    assert a4["text"] == "Alpha bores me."
    assert a4["codes"] == (
        "1=Strongly disagree | 2=Disagree | 3=Neither agree nor disagree | 4=Agree"
        " | 5=Strongly agree | 0=Not sure"
    )
    s1 = asked[-1]
    assert (s1["kind"], s1["keying"], s1["not_sure_code"]) == ("scenario", "", "")
    assert s1["codes"] == "1=x: Do alpha. | 2=y: Do beta. | 3=z: Do nothing."
    overall = next(r for r in rows if r["column"] == "overall")
    assert "one decimal, rounded half up" in overall["text"]
    band = next(r for r in rows if r["column"] == "band_id")
    assert (
        band["codes"]
        == "low=Low fit (0 to 50) | mid=Middle fit (50 to 70) | high=High fit (70 to 100)"
    )
    as_json = json.loads(get(staff, "/admin/export/codebook.json").text)
    assert [r["question_number"] for r in as_json if r["question_number"]] == list(range(1, 10))


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/admin/export/results.csv", "text/csv; charset=utf-8"),
        ("/admin/export/summary.csv", "text/csv; charset=utf-8"),
        ("/admin/export/codebook.csv", "text/csv; charset=utf-8"),
        ("/admin/export/results.json", "application/json"),
        ("/admin/export/summary.json", "application/json"),
        ("/admin/export/codebook.json", "application/json"),
        ("/admin/export/results.xlsx", XLSX),
    ],
)
def test_content_type_is_exact(staff, linked, path, content_type):
    response = get(staff, path)
    assert response.headers["Content-Type"] == content_type
    name = path.rsplit("/", 1)[1]
    assert response.headers["Content-Disposition"] == f'attachment; filename="quizapp_mini_{name}"'


def test_bom_for_excel_on_request(app, staff, linked, tmp_path):
    with_bom = get(staff, "/admin/export/results.csv?bom=1").data
    assert with_bom.startswith(b"\xef\xbb\xbfresult_id,")
    assert get(staff, "/admin/export/results.json?bom=1").data.startswith(b"[")
    out = tmp_path / "r.csv"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["export", "results", "--bom", "-o", str(out)]).exit_code == 0
    assert out.read_bytes() == with_bom
    refused = runner.invoke(args=["export", "results", "--bom", "--format", "json"])
    assert refused.exit_code == 1 and "CSV only" in refused.output


def test_csv_json_and_xlsx_hold_the_same_rows(staff, linked):
    """On PostgreSQL the CSV comes from COPY, the JSON from a cursor: they must agree."""
    text = get(staff, "/admin/export/results.csv").text
    from_csv = pd.read_csv(io.StringIO(text), dtype={"rubric_version": str})  # "0.1" is no number
    from_json = pd.DataFrame(json.loads(get(staff, "/admin/export/results.json").text))
    workbook = io.BytesIO(get(staff, "/admin/export/results.xlsx").data)
    xlsx = pd.read_excel(workbook, "results", dtype={"rubric_version": str})
    for other in (from_json, xlsx):
        assert list(other.columns) == list(from_csv.columns)
        pd.testing.assert_frame_equal(other, from_csv, check_dtype=False)


def test_the_copy_path_is_used_on_postgresql(app, linked):
    with app.app_context():
        rubric = app.extensions["quizapp.rubrics"]["mini"]
        table = TABLES["results"](db.session(), rubric, Filters(rubric_id="mini"), MINIMUM)
    assert (table.copy_sql is not None) == ON_POSTGRES


def test_every_export_loads_in_pandas_with_the_right_types(staff, linked):
    results = pd.read_csv(io.StringIO(get(staff, "/admin/export/results.csv").text))
    from_json = pd.DataFrame(json.loads(get(staff, "/admin/export/results.json").text))
    sheets = pd.read_excel(io.BytesIO(get(staff, "/admin/export/results.xlsx").data), None)
    assert list(sheets) == ["results", "codebook"]
    for frame in (results, from_json, sheets["results"]):
        assert len(frame) == 5
        answers = [c for c in frame.columns if c.startswith("answer:")]
        scores = ["overall", *(c for c in frame.columns if c.startswith("dimension:"))]
        assert len(answers) == 9 and len(scores) == 3
        assert all(frame[c].dtype == "int64" for c in [*answers, "result_id"])
        assert all(frame[c].dtype == "float64" for c in scores)
        assert frame["result_id"].is_unique
    nullable = pd.read_csv(
        io.StringIO(get(staff, "/admin/export/results.csv").text), dtype_backend="numpy_nullable"
    )
    assert nullable["link_id"].dtype == "Int64" and nullable["link_id"].isna().sum() == 2

    for codebook in (
        pd.read_csv(io.StringIO(get(staff, "/admin/export/codebook.csv").text)),
        pd.DataFrame(json.loads(get(staff, "/admin/export/codebook.json").text)),
        sheets["codebook"],
    ):
        assert len(codebook) == 10 + 2 + 9  # lead columns, dimensions, questions
        numbers = codebook["question_number"].dropna()
        assert list(numbers) == list(range(1, 10))
        assert codebook["not_sure_code"].dropna().eq(0).all()

    summary = pd.read_csv(io.StringIO(get(staff, "/admin/export/summary.csv").text))
    assert summary["value"].dtype == "float64"
    distribution = summary[summary["section"] == "answer"]
    assert len(distribution) == 8 * 6 + 3  # statements: five points and Not sure; three options
    assert (
        distribution["code"].dtype == "float64"
        and distribution["code"].eq(distribution["code"].round()).all()
    )
    assert json.loads(get(staff, "/admin/export/summary.json").text)[0]["value"] == 5


def test_cli_writes_codebook_and_xlsx(app, linked, tmp_path):
    runner = app.test_cli_runner()
    book = runner.invoke(args=["export", "codebook", "--format", "json"])
    assert book.exit_code == 0, book.output
    assert json.loads(book.output)[10]["column"] == "dimension:alpha"
    out = tmp_path / "results.xlsx"
    made = runner.invoke(args=["export", "results", "--format", "xlsx", "-o", str(out)])
    assert made.exit_code == 0, made.output
    assert pd.read_excel(out, "results").shape == (5, 10 + 2 + 9)
    to_stdout = runner.invoke(args=["export", "results", "--format", "xlsx"])
    assert to_stdout.exit_code == 1 and "-o FILE" in to_stdout.output


def test_dashboard_links_every_export(staff, linked):
    page = get(staff, "/admin/").text
    for path in (
        "/admin/export/results.csv",
        "/admin/export/results.csv?bom=1",
        "/admin/export/results.json",
        "/admin/export/results.xlsx",
        "/admin/export/summary.csv",
        "/admin/export/summary.json",
        "/admin/export/codebook.csv",
        "/admin/export/codebook.json",
    ):
        assert f'href="{path}"' in page
