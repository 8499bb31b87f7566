"""The quiz in a real headless Chromium: taking it, fixing a missed answer, accessibility, valid HTML."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from quizapp.assessment.scoring import round_half_up, score
from quizapp.storage import db
from quizapp.storage.models import Result
from quizapp.storage.results import find_result

from .helpers import (
    DEFAULT_RUBRIC,
    Answered,
    Visit,
    answer_quiz,
    assert_accessible,
    check_html,
    checked_values,
    format_html_errors,
    format_violations,
    is_uncovered,
    result_token,
    run_axe,
    sideways_overflow,
    submit_quiz,
)

pytestmark = pytest.mark.browser

NARROW = {"width": 375, "height": 800}
NO_BAND_HEADING = "Not enough answers for an overall result"
UNCLEAR_HEADING = "Your answers don\u2019t give a clear picture"


def rubric_of(live_server):
    return live_server.app.extensions["quizapp.rubrics"][DEFAULT_RUBRIC]


def stored_result(live_server, token: str) -> Result | None:
    with live_server.app.app_context():
        return find_result(db.session(), token)


def count_results(live_server) -> int:
    with live_server.app.app_context():
        return db.session().scalar(select(func.count()).select_from(Result))


def take_quiz(page, **choices) -> tuple[str, Answered]:
    """Go from the landing page through the whole questionnaire to the result page."""
    page.goto("/")
    page.get_by_role("link", name="Start the quiz").click()
    expect(page).to_have_url(re.compile(r"/quiz$"))
    answered = answer_quiz(page, **choices)
    posted = submit_quiz(page)
    assert posted.status == 303, f"submitting a complete quiz gave {posted.status}"
    expect(page).to_have_url(re.compile(r"/r/[A-Za-z0-9_-]{20,}$"))
    return result_token(page.url), answered


def assert_result_shown_and_stored(page, live_server, token: str, answered: Answered) -> None:
    """The result page, its JSON and the stored row all agree with scoring the clicked answers."""
    rubric = rubric_of(live_server)
    answers = answered.as_answers()
    assert len(answers) == rubric.question_count
    expected = score(rubric, answers)
    band = next((b for b in rubric.bands if b.id == expected.band), None)

    heading = UNCLEAR_HEADING if expected.unclear else NO_BAND_HEADING
    expect(page.locator("h1")).to_have_text(band.label if band else heading)
    if expected.overall is not None:
        shown = str(int(round_half_up(expected.overall)))
        expect(page.locator(".overall-number")).to_have_text(shown)
    expect(page.get_by_role("heading", name="Your profile", level=2)).to_be_visible()
    rows = page.locator(".bars .bar-row")
    expect(rows.locator(".bar-name")).to_have_text([d.name for d in rubric.dimensions])
    for n, dim in enumerate(expected.dimensions):
        value = "not enough answers" if dim.score is None else f"{round_half_up(dim.score):.0f}"
        expect(rows.nth(n).locator(".bar-value")).to_contain_text(value)
    expect(page.locator("#result-link")).to_have_value(f"{page.url}")

    as_json = page.request.get(f"/r/{token}.json")
    assert as_json.ok
    data = as_json.json()
    assert data["band"] == expected.band
    whole = None if expected.overall is None else int(round_half_up(expected.overall))
    assert data["overall"] == whole
    assert data["rubric"] == {"id": rubric.id, "version": rubric.version}
    assert "answers" not in data and token not in as_json.text()

    stored = stored_result(live_server, token)
    assert stored is not None, "the result page exists but no result was stored"
    assert stored.rubric_id == rubric.id
    assert stored.band == expected.band
    assert stored.answers == answers
    assert stored.answered == expected.answered
    assert [s.dimension_id for s in stored.scores] == [d.id for d in rubric.dimensions]


def assert_no_horizontal_scroll(page, width: int, what: str) -> None:
    """Fail, naming the widest elements, if the page is wider than the window."""
    overflow = sideways_overflow(page, width)
    if overflow:
        pytest.fail(f"{what} scrolls sideways: {overflow}")


# --- taking the quiz ----------------------------------------------------------------------


def test_take_the_quiz_from_the_landing_page(page, live_server):
    before = count_results(live_server)
    token, answered = take_quiz(page)
    assert_result_shown_and_stored(page, live_server, token, answered)
    assert count_results(live_server) == before + 1


def test_back_reload_and_a_double_click_store_one_result(page, live_server):
    before = count_results(live_server)
    token, _ = take_quiz(page)
    result_url = page.url
    page.reload()  # the result page is a GET: reloading it posts nothing
    page.go_back()  # back to the quiz: a fresh page (it is never cached), nothing posted
    expect(page).to_have_url(re.compile(r"/quiz$"))
    page.go_forward()
    expect(page).to_have_url(result_url)
    assert count_results(live_server) == before + 1
    # Submitting the same page twice in a row (a double click) lands on one result.
    page.goto("/quiz")
    answer_quiz(page)
    key = page.locator("input[name=submission_key]").input_value()
    form = {k: v for k, v in checked_values(page).items()}
    csrf = page.locator("input[name=csrf_token]").input_value()
    data = {**form, "submission_key": key, "csrf_token": csrf}
    first = page.request.post("/quiz", form=data, max_redirects=0)
    second = page.request.post("/quiz", form=data, max_redirects=0)
    assert first.status == second.status == 303
    assert first.headers["location"] == second.headers["location"] != result_url
    assert count_results(live_server) == before + 2
    assert token not in first.headers["location"]


def test_missed_question_is_flagged_and_other_answers_are_kept(page, live_server):
    page.goto("/quiz")
    names = page.locator("fieldset.question").evaluate_all(
        "els => els.map(el => el.id.replace(/^q-/, ''))"
    )
    missed = names[9]
    answered = answer_quiz(page, skip=[missed])
    before = count_results(live_server)

    posted = submit_quiz(page)

    assert posted.status == 422
    assert count_results(live_server) == before, "an incomplete quiz must store nothing"
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("1 question needs an answer")
    link = summary.get_by_role("link")
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", f"#q-{missed}")

    question = page.locator(f"#q-{missed}")
    error = question.locator(".field-error")
    expect(error).to_have_text(re.compile(r"Error: Choose an answer"))
    expect(error).to_have_attribute("id", f"err-{missed}")
    expect(question).to_have_attribute("aria-describedby", f"err-{missed}")
    expect(page.locator(".field-error")).to_have_count(1)
    assert checked_values(page) == answered.values

    link.click()
    expect(page).to_have_url(re.compile(f"#q-{re.escape(missed)}$"))
    expect(question).to_be_in_viewport()
    assert is_uncovered(question.locator("legend")), "the question is hidden under the sticky box"

    question.locator("label.choice").filter(has=page.get_by_text("Agree", exact=True)).click()
    assert submit_quiz(page).status == 303
    token = result_token(page.url)
    stored = stored_result(live_server, token)
    assert stored is not None
    assert stored.answers[missed] == 4
    assert stored.answers == {**answered.as_answers(), missed: 4}


def test_form_posted_without_the_csrf_token_is_refused(page, live_server):
    page.goto("/quiz")
    answered = answer_quiz(page)
    before = count_results(live_server)
    refused = page.request.post("/quiz", form=answered.values, max_redirects=0)
    assert refused.status == 400
    assert "security token" in refused.text()
    assert count_results(live_server) == before


def test_quiz_works_with_javascript_disabled(new_context, live_server):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/quiz")
    expect(page.locator("html")).not_to_have_class(re.compile(r"\bjs\b"))
    expect(page.locator("#progress")).to_be_hidden()
    token, answered = take_quiz(
        page, likert=("Strongly agree", "Disagree", "Agree"), scenario_option=2
    )
    assert_result_shown_and_stored(page, live_server, token, answered)
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()


def test_narrow_screen_has_no_sideways_scrolling(new_context, live_server):
    page = new_context(viewport=NARROW, is_mobile=True, has_touch=True).new_page()
    page.goto("/")
    assert_no_horizontal_scroll(page, NARROW["width"], "the landing page")
    page.goto("/quiz")
    assert_no_horizontal_scroll(page, NARROW["width"], "the quiz page")
    token, answered = take_quiz(
        page, likert=("Neither agree nor disagree", "Agree", "Strongly agree"), scenario_option=1
    )
    assert_result_shown_and_stored(page, live_server, token, answered)
    assert_no_horizontal_scroll(page, NARROW["width"], "the result page")


def test_progress_counts_answers_as_they_are_given(page):
    page.goto("/quiz")
    progress = page.locator("#progress-text")
    total = page.locator("fieldset.question").count()
    expect(progress).to_have_text(f"0 of {total} answered")
    answer_quiz(page)
    expect(progress).to_have_text(f"{total} of {total} answered")


# --- accessibility and HTML validity ------------------------------------------------------


PAGES = ["landing", "quiz", "quiz-with-error", "result", "not-found"]


@pytest.fixture(scope="module")
def visited(browser, live_server) -> dict[str, Visit]:
    """Visit each kind of page once: keep its HTML and run axe on it."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()

    def record(response) -> Visit:
        served = response.text()
        dom = page.content()
        return Visit(response.status, served, dom, run_axe(page))

    visits = {"landing": record(page.goto("/")), "quiz": record(page.goto("/quiz"))}
    answer_quiz(page, skip=[page.locator("fieldset.question").nth(3).get_attribute("id")[2:]])
    visits["quiz-with-error"] = record(submit_quiz(page))
    page.goto("/quiz")
    answer_quiz(page)
    submit_quiz(page)
    visits["result"] = record(page.goto(page.url))
    visits["not-found"] = record(page.goto("/r/this-result-does-not-exist"))
    context.close()
    return visits


def test_pages_answer_with_the_expected_status(visited):
    assert {name: v.status for name, v in visited.items()} == {
        "landing": 200,
        "quiz": 200,
        "quiz-with-error": 422,
        "result": 200,
        "not-found": 404,
    }


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_wcag_violations(visited, name):
    violations = visited[name].violations
    assert not violations, f"axe found WCAG 2.1 A/AA violations on the {name} page:\n" + (
        format_violations(violations)
    )


def test_error_page_for_bad_request_is_accessible(page):
    page.goto("/quiz/no-such-rubric")
    expect(page.locator("h1")).to_have_text("Page not found")
    assert_accessible(page, "the 404 page for an unknown quiz")


def test_pages_are_valid_html(visited):
    documents = {}
    for name, visit in visited.items():
        documents[f"{name} (as served)"] = visit.served
        documents[f"{name} (after scripts ran)"] = visit.dom
    errors = check_html(documents)
    assert not errors, "The Nu Html Checker found errors:\n" + format_html_errors(errors)
