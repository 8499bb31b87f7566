"""Taking the quiz over time in Chromium: answers kept in the tab, clearing them, the sticky
progress on a phone, and the result page's link, download and printout."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .helpers import (
    DEFAULT_RUBRIC,
    Visit,
    answer_quiz,
    assert_no_violations,
    assert_valid_html,
    checked_values,
    is_uncovered,
    quiz_values,
    record_visit,
    submit_quiz,
)

pytestmark = pytest.mark.browser

WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 375, "height": 800}
PHONE = {"viewport": NARROW, "is_mobile": True, "has_touch": True}
# Measured at 375 px with the real rubric: 23,568 px before the denser layout, 16,448 after.
MAX_SCROLL_HEIGHT_375 = 17_000
PAGE_COUNT = re.compile(rb"/Type\s*/Page(?![s\w])")


def rubric_of(live_server):
    return live_server.app.extensions["quizapp.rubrics"][DEFAULT_RUBRIC]


def storage_key(live_server) -> str:
    rubric = rubric_of(live_server)
    return f"quizapp-answers:{rubric.id}:{rubric.version}"


def stored_answers(page, key: str):
    return page.evaluate("(key) => JSON.parse(sessionStorage.getItem(key) || 'null')", key)


def question_names(page) -> list[str]:
    return page.locator("fieldset.question").evaluate_all(
        "els => els.map(el => el.id.replace(/^q-/, ''))"
    )


def set_answers(page, values: dict[str, str]) -> None:
    """Select answers quickly (for a realistic result), as if clicked, then tell the page."""
    page.evaluate(
        """(values) => {
            for (const [name, value] of Object.entries(values)) {
                const el = document.querySelector(`input[name="${name}"][value="${value}"]`);
                el.checked = true;
                el.dispatchEvent(new Event("change", {bubbles: true}));
            }
        }""",
        values,
    )


def pdf_pages(pdf: bytes) -> int:
    return len(PAGE_COUNT.findall(pdf))


# --- answers kept in the tab --------------------------------------------------------------


def test_answers_come_back_after_a_reload_until_the_quiz_is_sent(page, live_server):
    page.goto("/quiz")
    names = question_names(page)
    total = len(names)
    answered = answer_quiz(page, skip=names[15:])
    assert len(answered.values) == 15
    expect(page.locator("#restored")).to_be_hidden()

    page.reload()

    assert checked_values(page) == answered.values
    expect(page.locator("#progress-text")).to_have_text(f"15 of {total} answered")
    notice = page.locator("#restored")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(
        f"The answers you gave earlier in this tab are back (15 of {total})."
    )
    next_link = notice.get_by_role("link", name="Go on with the first unanswered question")
    expect(next_link).to_have_attribute("href", f"#q-{names[15]}")
    next_link.click()
    assert is_uncovered(page.locator(f"#q-{names[15]} legend")), "hidden under the progress bar"

    answer_quiz(page, skip=names[:15])
    assert submit_quiz(page).status == 303
    assert stored_answers(page, storage_key(live_server)) is None  # gone once sent
    page.goto("/quiz")
    assert checked_values(page) == {}
    expect(page.locator("#progress-text")).to_have_text(f"0 of {total} answered")
    expect(page.locator("#restored")).to_be_hidden()


def test_answers_kept_for_another_version_are_not_restored(page, live_server):
    page.goto("/quiz")
    names = question_names(page)
    stale = {name: "5" for name in names[:10]}
    rubric = rubric_of(live_server)
    page.evaluate(
        "([key, value]) => sessionStorage.setItem(key, JSON.stringify(value))",
        [f"quizapp-answers:{rubric.id}:0.9-old", stale],
    )
    # Under this version's key, only names and values the page knows are used.
    page.evaluate(
        "([key, value]) => sessionStorage.setItem(key, JSON.stringify(value))",
        [storage_key(live_server), {names[0]: "4", "no-such-question": "4", names[1]: "forged"}],
    )
    page.reload()
    assert checked_values(page) == {names[0]: "4"}
    expect(page.locator("#restored")).to_contain_text(f"are back (1 of {len(names)})")


def test_clear_my_answers_empties_the_page_and_the_tab_and_can_be_undone(page, live_server):
    key = storage_key(live_server)
    page.goto("/quiz")
    names = question_names(page)
    clear = page.get_by_role("button", name="Clear my answers")
    expect(clear).to_be_hidden()  # nothing to clear yet
    answered = answer_quiz(page, skip=names[5:])
    expect(clear).to_be_visible()

    clear.click()
    assert checked_values(page) == {}
    assert stored_answers(page, key) is None
    expect(page.locator("#progress-text")).to_have_text(f"0 of {len(names)} answered")
    expect(page.locator("#progress-news")).to_have_text(re.compile("All answers cleared"))

    page.get_by_role("button", name="Undo clearing").click()
    assert checked_values(page) == answered.values
    assert stored_answers(page, key) == answered.values

    clear.click()
    page.reload()
    assert checked_values(page) == {}
    expect(page.locator("#restored")).to_be_hidden()


def test_answers_sent_back_after_an_error_are_never_replaced_by_the_tab(page, live_server):
    key = storage_key(live_server)
    page.goto("/quiz")
    names = question_names(page)
    answered = answer_quiz(page, skip=[names[20]])
    # Something else in this tab's storage (an older sitting, another window of the same tab).
    page.evaluate(
        "([key, value]) => sessionStorage.setItem(key, JSON.stringify(value))",
        [key, {name: "ns" for name in names}],
    )
    assert submit_quiz(page).status == 422
    assert checked_values(page) == answered.values
    expect(page.locator("#restored")).to_be_hidden()
    assert stored_answers(page, key) == answered.values  # the server's copy is kept instead
    page.reload()  # a GET: a fresh page, filled from the tab
    assert checked_values(page) == answered.values


def test_progress_is_announced_per_part_not_per_click(page):
    page.goto("/quiz")
    news = page.locator("#progress-news")
    first_part = page.locator("section.quiz-section").first
    questions = first_part.locator("fieldset.question")
    count = questions.count()
    for n in range(count - 1):
        questions.nth(n).locator("label.choice").first.click()
        expect(news).to_have_text("")
    questions.nth(count - 1).locator("label.choice").first.click()
    expect(news).to_have_text(re.compile(rf"^Part 1 of \d+ done\. {count} of \d+ answered\.$"))


# --- on a phone -----------------------------------------------------------------------------


def test_on_a_phone_the_progress_stays_in_sight_and_the_page_is_shorter(new_context):
    page = new_context(**PHONE).new_page()
    page.goto("/quiz")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= MAX_SCROLL_HEIGHT_375, f"the quiz is {height} px tall at 375 px"

    # Count the taps a person needs, from the first answer to the result.
    page.evaluate("window.taps = 0; document.addEventListener('pointerdown', () => window.taps++)")
    names = question_names(page)
    answer_quiz(page, skip=names[25:])
    box = page.locator("#progress")
    expect(box).to_be_in_viewport()
    rect = box.bounding_box()
    assert rect["y"] <= 1 and rect["height"] <= 64, f"progress box at {rect}"
    assert is_uncovered(page.locator("#progress-text"))
    expect(page.locator("#progress-text")).to_have_text(f"25 of {len(names)} answered")
    answer_quiz(page, skip=names[:25])
    taps = page.evaluate("window.taps")
    assert submit_quiz(page).status == 303
    assert taps + 1 <= len(names) + 1 == 52, f"{taps + 1} taps"


# --- accessibility and validity of the new states -----------------------------------------


@pytest.fixture(scope="module")
def narrow_visits(browser, live_server) -> dict[str, Visit]:
    """At 375 px: the quiz with answers restored, an empty submit, a realistic result."""
    context = browser.new_context(base_url=live_server.url, **PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/quiz")
    names = question_names(page)
    answer_quiz(page, skip=names[4:])
    visits = {"quiz-restored": record_visit(page, page.reload())}
    page.get_by_role("button", name="Clear my answers").click()
    visits["quiz-empty-submit"] = record_visit(page, submit_quiz(page))
    rubric = rubric_of(live_server)
    page.goto("/quiz")
    set_answers(page, quiz_values(rubric, 0.62, {rubric.dimensions[1].id: 0.3}))
    submit_quiz(page)
    visits["result"] = record_visit(page, page.goto(page.url))
    context.close()
    return visits


def test_narrow_pages_show_the_new_states(narrow_visits):
    assert narrow_visits["quiz-restored"].status == 200
    assert 'id="restored" tabindex="-1">' in narrow_visits["quiz-restored"].dom  # shown
    assert narrow_visits["quiz-empty-submit"].status == 422
    assert "No answers were received" in narrow_visits["quiz-empty-submit"].served


@pytest.mark.parametrize("name", ["quiz-restored", "quiz-empty-submit", "result"])
def test_narrow_pages_have_no_wcag_violations(narrow_visits, name):
    assert_no_violations(narrow_visits, name)


def test_narrow_pages_are_valid_html(narrow_visits):
    assert_valid_html(narrow_visits)


# --- the result page ----------------------------------------------------------------------


def realistic_result(page, live_server, level: float, by_dimension=None) -> str:
    """Take the quiz as someone of the given fit; return the result page's URL."""
    page.goto("/quiz")
    set_answers(page, quiz_values(rubric_of(live_server), level, by_dimension))
    assert submit_quiz(page).status == 303
    return page.url


def test_the_private_link_is_offered_right_after_the_verdict(page, live_server):
    url = realistic_result(page, live_server, 0.62)
    link = page.get_by_label("Your private link")
    expect(link).to_have_value(url)
    expect(link).to_be_in_viewport()  # no scrolling needed to find it
    heading = page.get_by_role("heading", name="Save your private link")
    assert page.locator("h1").bounding_box()["y"] < heading.bounding_box()["y"]
    profile = page.get_by_role("heading", name="Your profile").bounding_box()
    assert link.bounding_box()["y"] < profile["y"]


def test_download_as_json_saves_a_file(page, live_server):
    realistic_result(page, live_server, 0.62)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as JSON").click()
    assert download.value.suggested_filename == "quizapp-result.json"
    data = download.value.path().read_text(encoding="utf-8")
    assert '"rubric"' in data and rubric_of(live_server).version in data


@pytest.mark.parametrize(
    ("level", "by_dimension"),
    [(0.95, {}), (0.62, {"architecture": 0.3, "requirements": 0.8}), (0.2, {})],
    ids=["strong fit with entry steps", "possible fit, mixed", "not an obvious fit"],
)
def test_a_result_prints_on_at_most_two_a4_pages_with_everything_open(
    page, live_server, level, by_dimension
):
    realistic_result(page, live_server, level, by_dimension)
    details = page.locator("details")
    expect(details.first).not_to_have_attribute("open", "")
    page.emulate_media(media="print")
    bands = page.locator(".band-scale li")
    expect(bands.first).to_be_visible()  # open in print, even before any script runs
    pages = pdf_pages(page.pdf(format="A4"))
    assert 1 <= pages <= 2, f"the result prints on {pages} pages"
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()
    expect(page.locator(".share")).to_be_hidden()


def test_a_result_prints_open_without_javascript(new_context, live_server):
    scripted = new_context(viewport=WIDE).new_page()
    url = realistic_result(scripted, live_server, 0.62)
    page = new_context(viewport=WIDE, java_script_enabled=False).new_page()
    page.goto(url)
    expect(page.locator(".band-scale li").first).to_be_hidden()  # folded on screen
    page.emulate_media(media="print")
    expect(page.locator(".band-scale li").first).to_be_visible()
    assert pdf_pages(page.pdf(format="A4")) <= 2


def test_the_sources_open_without_javascript_and_stay_off_the_printout(new_context, live_server):
    scripted = new_context(viewport=WIDE).new_page()
    url = realistic_result(scripted, live_server, 0.62)
    page = new_context(viewport=WIDE, java_script_enabled=False).new_page()
    page.goto(url)
    sources = page.locator("section.sources")
    expect(sources.get_by_role("heading", name="Where this comes from")).to_be_visible()
    expect(sources.get_by_text("The guide’s own lists of who the role suits")).to_be_visible()
    criterion = rubric_of(live_server).fit_criteria[0]
    listed = sources.locator("li", has_text=criterion.text)
    expect(listed).to_be_hidden()  # folded
    sources.get_by_text("Our fit and not-fit criteria").click()
    expect(listed).to_be_visible()
    expect(listed).to_contain_text("Source: Guide:")
    # On paper the lists would double the result; the note above the criteria stays, and says
    # the guide's lists were lost.
    page.emulate_media(media="print")
    expect(sources).to_be_hidden()
    expect(page.locator("#criteria-note")).to_be_visible()
    expect(page.locator("#criteria-note")).to_contain_text("they did not survive")
