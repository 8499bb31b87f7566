"""The admin statistics charts in a real headless Chromium, on a desktop and a 375 px phone.

A counselor's link gets a few complete quizzes with known answers, posted the way the quiz form
posts them; the charts are checked through the link filter, so exact figures are this module's.
"""

from __future__ import annotations

import re
from collections import Counter
from uuid import uuid4

import pytest
from playwright.sync_api import expect

from .helpers import (
    DEFAULT_RUBRIC,
    add_link,
    add_staff,
    assert_no_violations,
    assert_valid_html,
    post_quiz,
    quiz_values,
    record_visit,
    sideways_overflow,
    sign_in,
)

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}
LEVELS = (0.9, 0.7, 0.5, 0.3, 0.1)  # the made-up people's overall fit: k = 5 of them


@pytest.fixture(scope="module")
def rubric(live_server):
    return live_server.app.extensions["quizapp.rubrics"][DEFAULT_RUBRIC]


@pytest.fixture(scope="module")
def world(browser, live_server, rubric) -> dict:
    """An admin, and five complete quizzes through a new link; returns what was posted."""
    app = live_server.app
    admin = add_staff(app, f"charts-admin-{uuid4().hex[:8]}", role="admin")
    counselor = add_staff(app, f"charts-counselor-{uuid4().hex[:8]}")
    link_id, code = add_link(app, counselor, f"Charts check {uuid4().hex[:6]}")
    context = browser.new_context(base_url=live_server.url)
    posted = []
    for level in LEVELS:
        values = quiz_values(rubric, level)
        assert post_quiz(context.request, f"/q/{code}", values).status == 303
        posted.append(values)
    context.close()
    return {"admin": admin, "link_id": link_id, "posted": posted}


@pytest.fixture(scope="module")
def admin_state(browser, live_server, world) -> dict:
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    assert sign_in(page, world["admin"]).status == 302
    state = context.storage_state()
    context.close()
    return state


def open_dashboard(new_context, admin_state, world, viewport):
    context = new_context(viewport=viewport, storage_state=admin_state, is_mobile=viewport == PHONE)
    page = context.new_page()
    assert page.goto(f"/admin/?link={world['link_id']}").status == 200
    return page


def quiz_numbers(page) -> dict[int, str]:
    """Question number -> text, as the quiz page shows them."""
    page.goto("/quiz")
    return {
        int(number.rstrip(".")): text
        for number, text in page.evaluate(
            """() => [...document.querySelectorAll('fieldset.question legend')].map(legend =>
                [legend.querySelector('.qnum').textContent, legend.lastChild.textContent.trim()])"""
        )
    }


def dashboard_questions(page) -> dict[int, tuple[str, list[str]]]:
    """Question number -> (text, the rest of its row as written), statements and scenarios."""
    rows = page.evaluate(
        """() => [...document.querySelectorAll('.answers-table tbody tr')].map(tr => [
            tr.cells[0].textContent, tr.cells[1].firstChild.textContent.trim(),
            [...tr.cells].slice(1).map(cell => cell.innerText.trim())])"""
    )
    rows += page.evaluate(
        """() => [...document.querySelectorAll('.scenario-list .q-text')].map(p => [
            p.querySelector('.qnum').textContent, p.childNodes[1].textContent.trim(),
            [p.innerText]])"""
    )
    return {int(number.rstrip(".")): (text, rest) for number, text, rest in rows}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "375px"])
def test_charts_have_axes_and_scale_to_the_screen(new_context, admin_state, world, viewport):
    page = open_dashboard(new_context, admin_state, world, viewport)
    weeks = page.locator("section[aria-labelledby=weeks-title] svg[role=img]")
    expect(weeks).to_have_attribute("viewBox", re.compile(r"^0 0 \d+ \d+$"))
    expect(weeks).to_have_attribute("width", "100%")
    expect(weeks).to_have_accessible_name(re.compile(r"^Results per week, weeks starting "))
    texts = weeks.locator("text").all_text_contents()
    assert {"Results", "0", "2", "4", "5", "6"} <= set(texts), texts  # value axis; 5 this week
    assert any(t.startswith("Week starting (") for t in texts), texts
    histograms = page.locator(".histograms svg[role=img]")
    expect(histograms).to_have_count(7)
    first = histograms.first.locator("text").all_text_contents()
    assert {"People", "Score", "0", "20", "40", "60", "80", "100"} <= set(first), first
    # Every chart fits its box: scaled down, never cut off or scrolled.
    for svg in page.locator("svg[role=img]").all():
        box, parent = svg.bounding_box(), svg.locator("xpath=..").bounding_box()
        assert box["width"] <= parent["width"] + 1
        assert box["x"] + box["width"] <= viewport["width"]
    overflow = sideways_overflow(page, viewport["width"])
    assert overflow is None, f"the statistics page scrolls sideways: {overflow}"


def test_phone_tables_scroll_inside_a_named_focusable_box(new_context, admin_state, world):
    page = open_dashboard(new_context, admin_state, world, PHONE)
    wrap = page.locator(".answers-wrap")
    expect(wrap).to_have_attribute("tabindex", "0")
    expect(wrap).to_have_accessible_name("Answers to each statement")
    sizes = wrap.evaluate("el => [el.scrollWidth, el.clientWidth, getComputedStyle(el).overflowX]")
    assert sizes[0] > sizes[1] and sizes[2] == "auto", sizes
    wrap.focus()
    page.keyboard.press("ArrowRight")
    expect(wrap).to_be_focused()
    # Chromium scrolls smoothly after a key press, so the box moves over a few frames.
    page.wait_for_function("el => el.scrollLeft > 0", arg=wrap.element_handle(), timeout=5000)


def test_question_numbers_and_shares_match_the_quiz(new_context, admin_state, world, rubric):
    page = open_dashboard(new_context, admin_state, world, DESKTOP)
    shown = dashboard_questions(page)
    assert {n: text for n, (text, _) in shown.items()} == quiz_numbers(page)
    numbers = rubric.question_numbers
    for check in rubric.checks:
        assert shown[numbers[check.id]][1][1:] == [
            "Attention check: not scored, and its answers are not counted here."
        ]
    # Statement 1's shares, as text, from what the five people answered; none was "Not sure".
    first = next(i for section in rubric.sections for i in section.items)
    given = Counter(values[first] for values in world["posted"])
    expected = [f"{100 * given.get(str(v), 0) // len(LEVELS)}%" for v in (1, 2, 3, 4, 5)]
    statement, *shares = shown[1][1]
    assert shares == [*expected, "0%"]
    assert statement.endswith(f"; {len(LEVELS)} answers)")
    assert shown[numbers[rubric.scenarios[0].id]][1][0].endswith(f"({len(LEVELS)} answers)")


def test_bands_and_histograms_write_their_figures(new_context, admin_state, world):
    page = open_dashboard(new_context, admin_state, world, DESKTOP)
    bands = page.locator("section[aria-labelledby=bands-title] .share-list li")
    expect(bands.filter(has_text="Strong fit")).to_contain_text("(70 to 100)")
    expect(bands.filter(has_text="Possible fit")).to_contain_text("(50 to under 70)")
    values = bands.locator(".share-value").all_inner_texts()
    assert sum(int(v.split()[0]) for v in values) == len(LEVELS), values
    table = page.locator("table.spread-table")
    for row in table.locator("tbody tr").all():
        counts = [int(c) for c in row.locator("td").all_text_contents()]
        assert sum(counts) == len(LEVELS)


@pytest.fixture(scope="module")
def visited(browser, live_server, world, admin_state) -> dict:
    """The statistics and quality pages at both sizes: HTML kept, axe run on each."""
    visits = {}
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, storage_state=admin_state
        )
        page = context.new_page()
        for path_name, path in (
            ("dashboard", f"/admin/?link={world['link_id']}"),
            ("quality", f"/admin/quality?link={world['link_id']}"),
        ):
            response = page.goto(path)
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            visits[f"{path_name}-{name}"] = record_visit(page, response)
        context.close()
    return visits


@pytest.mark.parametrize(
    "name", ["dashboard-desktop", "dashboard-phone", "quality-desktop", "quality-phone"]
)
def test_chart_pages_have_no_wcag_violations(visited, name):
    assert visited[name].status == 200
    assert_no_violations(visited, name)


def test_chart_pages_are_valid_html(visited):
    assert_valid_html({k: v for k, v in visited.items() if k.endswith("desktop")})


def test_quality_page_says_the_link_filter_does_not_apply(new_context, admin_state, world):
    page = new_context(viewport=PHONE, storage_state=admin_state).new_page()
    page.goto(f"/admin/quality?link={world['link_id']}")
    expect(page.get_by_label("Quiz link", exact=True)).to_have_count(0)
    expect(page.locator("#link-filter-note")).to_contain_text(
        "one link's group is too small for reliable statistics and could single people out"
    )
    expect(page.locator(".notice-info")).to_contain_text(
        "The quiz link filter does not apply on this page"
    )
    overflow = sideways_overflow(page, PHONE["width"])
    assert overflow is None, f"the quality page scrolls sideways: {overflow}"
