"""The result page's "Where this comes from" in Chromium, with every kind of source the schema
has (statements, scenario keys, criteria, role profiles, next steps) and with the archived
versions, which have fewer: valid HTML and no WCAG violations, every fold open."""

from __future__ import annotations

import pytest

from quizapp.assessment.scoring import score
from quizapp.storage import db
from quizapp.storage.models import Result
from quizapp.storage.results import store_result
from tests.conftest import fresh_database_url, rubrics_with_sources

from .conftest import LiveServer, require_tools
from .helpers import assert_no_violations, assert_valid_html, live_app, record_visit, serve

pytestmark = pytest.mark.browser

ARCHIVED = ("1.0.0", "2.0.0", "2.1.0")


@pytest.fixture(scope="module")
def sourced_server(tmp_path_factory, migrated_db) -> LiveServer:
    """The app with a copy of the shipped rubrics in which every statement and key names a
    source, serving results of the current version and of each archived one."""
    require_tools()
    folder = tmp_path_factory.mktemp("sourced")
    rubrics = rubrics_with_sources(folder / "rubrics")
    database_url = fresh_database_url(folder, migrated_db, for_session=True)
    app = live_app(folder, database_url, RUBRICS_DIR=str(rubrics))
    with serve(app) as url:
        yield LiveServer(app, url)


def result_token(server: LiveServer, version: str | None) -> str:
    """Store a middling result scored with the current rubric (None) or an archived version."""
    rubric_id = "technical-project-manager"
    if version is None:
        rubric = server.app.extensions["quizapp.rubrics"][rubric_id]
    else:
        rubric = server.app.extensions["quizapp.rubric_versions"][(rubric_id, version)]
    answers = {i.id: 4 if i.keyed == "plus" else 2 for i in rubric.items}
    answers |= {c.id: c.accept[0] for c in rubric.checks}
    answers |= {s.id: s.options[0].id for s in rubric.scenarios}
    with server.app.app_context():
        stored = store_result(db.engine(), rubric, answers, score(rubric, answers))
        return db.session().get(Result, stored.id).token


@pytest.fixture(scope="module")
def visits(browser, sourced_server):
    context = browser.new_context(base_url=sourced_server.url)
    page = context.new_page()
    found = {}
    for version in (None, *ARCHIVED):
        response = page.goto(f"/r/{result_token(sourced_server, version)}")
        folds = page.locator("section.sources summary")
        for n in range(folds.count()):
            folds.nth(n).click()  # every list open, so axe sees it all
        found[f"result {version or 'current'}"] = record_visit(page, response)
    context.close()
    return found


def test_every_fold_is_shown_where_its_sources_exist(visits):
    current = visits["result current"].dom
    for summary in (
        "The statements, area by area",
        "The everyday situations and their best answers",
        "Our fit and not-fit criteria",
        "The related roles and their profiles",
        "The next steps",
    ):
        assert f"<summary>{summary}</summary>" in current
    for version in ARCHIVED:
        served = visits[f"result {version}"]
        assert served.status == 200
        assert "<summary>Our fit and not-fit criteria</summary>" in served.dom
        assert "The statements, area by area" not in served.dom


@pytest.mark.parametrize("version", ["current", *ARCHIVED])
def test_result_pages_have_no_wcag_violations(visits, version):
    assert_no_violations(visits, f"result {version}")


def test_result_pages_are_valid_html(visits):
    assert_valid_html(visits)
