"""Admins in a real headless Chromium: statistics with filters, exports, rubric quality, accounts.

An admin, a counselor and the counselor's quiz link are created directly in the live server's
database; quiz answers are posted the way the quiz form posts them (with its CSRF token), some
through the link and some not. Everything the admin does goes through the pages, with CSRF on.

The live server's database is shared by the whole browser-test session, so unfiltered totals
are checked against what the database held before this module added its results, and exact
figures come from filtering on this module's own link.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from uuid import uuid4

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from quizapp.assessment.scoring import round_half_up
from quizapp.storage import db
from quizapp.storage.models import Result

from .helpers import (
    DEFAULT_RUBRIC,
    Visit,
    add_link,
    add_staff,
    assert_no_violations,
    assert_valid_html,
    count_results,
    post_quiz,
    quiz_values,
    record_visit,
    result_token,
    sideways_overflow,
    sign_in,
    submit_form,
)

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
NARROW = {"width": 375, "height": 800}
# Overall fit of the made-up people: through the link, and straight to /quiz.
LINK_LEVELS = (0.95, 0.8, 0.6, 0.4, 0.15)
DIRECT_LEVELS = (0.9, 0.7, 0.5, 0.35, 0.2)  # k of them: the link gets a row of its own
NOTHING_MATCHES = "/admin/?since=2099-01-01&until=2099-12-31"
DATES_BACKWARDS = "/admin/?since=2030-01-01&until=2020-01-01"
END_BEFORE_START = "The end date is before the start date, so no dates are applied."
WITHHELD = "No figures for this selection"


def new_username(prefix: str) -> str:
    return f"{prefix}-{uuid4().hex[:10]}"


@dataclass(frozen=True)
class World:
    """What this module put in the live server's database."""

    admin: str
    counselor: str
    link_id: int
    link_label: str
    through_link: int  # results through the link
    link_mean: float  # their mean overall score
    total: int  # all results in the database once this module's were added
    tokens: tuple[str, ...]  # the private result tokens of this module's results


@pytest.fixture(scope="module")
def world(browser, live_server) -> World:
    app = live_server.app
    rubric = app.extensions["quizapp.rubrics"][DEFAULT_RUBRIC]
    admin = add_staff(app, new_username("admin"), role="admin")
    counselor = add_staff(app, new_username("counselor"))
    label = f"Admin check {uuid4().hex[:6]}, autumn workshop"
    link_id, code = add_link(app, counselor, label)
    before = count_results(app)

    context = browser.new_context(base_url=live_server.url)
    tokens = []
    posts = [(f"/q/{code}", level) for level in LINK_LEVELS]
    posts += [("/quiz", level) for level in DIRECT_LEVELS]
    for n, (path, level) in enumerate(posts):
        # Dimensions a little above and below the overall level, so people differ.
        dims = {
            d.id: level + (0.15 if (n + k) % 3 == 0 else -0.1)
            for k, d in enumerate(rubric.dimensions)
        }
        posted = post_quiz(context.request, path, quiz_values(rubric, level, dims))
        assert posted.status == 303, f"posting a complete quiz to {path} gave {posted.status}"
        tokens.append(result_token(posted.headers["location"]))
    context.close()

    assert count_results(app, link_id=link_id) == len(LINK_LEVELS)
    total = count_results(app)
    with app.app_context():
        query = select(func.avg(Result.overall)).where(Result.link_id == link_id)
        link_mean = db.session().scalar(query)
    assert total == before + len(posts), "something else added results meanwhile"
    return World(
        admin, counselor, link_id, label, len(LINK_LEVELS), link_mean, total, tuple(tokens)
    )


def stat(page, label: str):
    """The number on the totals card with this label."""
    card = page.locator(".stat-cards .stat").filter(
        has=page.locator(".stat-label").get_by_text(label, exact=True)
    )
    return card.locator(".stat-number")


def apply_link_filter(page, label: str) -> None:
    page.get_by_label("Quiz link", exact=True).select_option(label=label)
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status == 200, f"the export gave {response.status}"
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment;")
    return list(csv.DictReader(io.StringIO(response.text(), newline="")))


def assert_fits(page, width: int, what: str) -> None:
    overflow = sideways_overflow(page, width)
    assert overflow is None, f"{what} scrolls sideways: {overflow}"
    # Wide tables scroll inside their own box, never the page.
    loose = page.evaluate(
        """(width) => [...document.querySelectorAll('table')].filter(table => {
            const wrap = table.closest('.table-wrap');
            if (!wrap) return true;
            const style = getComputedStyle(wrap);
            const wider = table.getBoundingClientRect().width > wrap.clientWidth + 1;
            return wrap.getBoundingClientRect().right > width
                || (wider && !['auto', 'scroll'].includes(style.overflowX));
        }).map(table => table.closest('section')?.getAttribute('aria-labelledby') || table.outerHTML.slice(0, 80))""",
        width,
    )
    assert not loose, f"{what} has tables that do not scroll inside a .table-wrap: {loose}"


@pytest.fixture(scope="module")
def admin_state(browser, live_server, world) -> dict:
    """The cookies of one sign-in as this module's admin, for contexts to start from.

    Signing in once keeps the module well under the sign-in rate limit (every browser test
    signs in from the same address).
    """
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    assert sign_in(page, world.admin).status == 302
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def admin_page(new_context, admin_state):
    """A desktop page signed in as this module's admin, on the statistics page."""
    page = new_context(viewport=DESKTOP, storage_state=admin_state).new_page()
    page.goto("/admin/")
    return page


# --- the statistics and exports -----------------------------------------------------------


def test_admin_lands_on_the_statistics_with_every_result_counted(page, world):
    assert sign_in(page, world.admin).status == 302
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("h1")).to_have_text("Statistics")
    subnav = page.get_by_role("navigation", name="Admin")
    expect(subnav.get_by_role("link", name="Statistics")).to_have_attribute("aria-current", "page")
    expect(stat(page, "results")).to_have_text(f"{world.total:,}")
    expect(page.get_by_role("heading", name="Fit bands")).to_be_visible()
    expect(page.get_by_role("heading", name="Dimensions")).to_be_visible()
    links = page.locator("section[aria-labelledby=links-title]")
    row = links.get_by_role("row").filter(has=page.get_by_role("link", name=world.link_label))
    expect(row.locator("td.num").first).to_have_text(str(world.through_link))
    counselors = page.locator("section[aria-labelledby=counselors-title]")
    row = counselors.get_by_role("row").filter(has=page.get_by_text(world.counselor, exact=True))
    expect(row.locator("td.num")).to_have_text(["1", str(world.through_link), re.compile(r"\d")])


def test_link_filter_narrows_the_figures_and_the_exports(admin_page, world):
    page = admin_page
    apply_link_filter(page, world.link_label)
    expect(page).to_have_url(re.compile(rf"/admin/\?.*\blink={world.link_id}\b"))
    expect(page.get_by_label("Quiz link", exact=True)).to_have_value(str(world.link_id))
    expect(stat(page, "results")).to_have_text(str(world.through_link))
    expect(stat(page, "quiz link shown on its own")).to_have_text("1")
    expect(stat(page, "mean overall score")).to_have_text(f"{round_half_up(world.link_mean):.0f}")

    exports = page.locator("section[aria-labelledby=exports-title]")
    href = exports.get_by_role("link", name="Results (CSV)").get_attribute("href")
    assert f"link={world.link_id}" in href, f"the export link ignores the filter: {href}"
    response = page.context.request.get(href)
    text = response.text()
    rows = csv_rows(response)
    assert len(rows) == world.through_link
    assert {row["link_label"] for row in rows} == {world.link_label}
    assert "token" not in " ".join(rows[0]).lower()
    leaked = [token for token in world.tokens if token in text]
    assert not leaked, f"the results export contains private result tokens: {leaked}"

    # The JSON export follows the same filter.
    href = exports.get_by_role("link", name="Results (JSON)").get_attribute("href")
    response = page.context.request.get(href)
    assert response.status == 200
    assert len(response.json()) == world.through_link


def test_unfiltered_export_has_every_result_and_no_tokens(admin_page, world):
    href = admin_page.get_by_role("link", name="Results (CSV)").get_attribute("href")
    response = admin_page.context.request.get(href)
    text = response.text()
    assert len(csv_rows(response)) == world.total
    leaked = [token for token in world.tokens if token in text]
    assert not leaked, f"the results export contains private result tokens: {leaked}"


def test_a_filter_that_matches_nothing_says_why_there_are_no_figures(admin_page):
    page = admin_page
    page.get_by_label("From", exact=True).fill("2099-01-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"since=2099-01-01"))
    # None looks like one: any selection of fewer than k results shows only why.
    expect(page.get_by_role("heading", name=WITHHELD)).to_be_visible()
    expect(page.get_by_text("This selection holds fewer than 5 results")).to_be_visible()
    expect(page.locator(".stat-cards")).to_have_count(0)
    expect(page.get_by_role("heading", name="Fit bands")).to_have_count(0)
    expect(page.get_by_role("link", name="Results (CSV)")).to_have_count(0)
    page.get_by_role("link", name="Clear", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_label("From", exact=True)).to_have_value("")


def test_dates_the_wrong_way_round_are_explained(admin_page, live_server):
    page = admin_page
    assert page.goto(DATES_BACKWARDS).status == 200
    until = page.get_by_label("To", exact=True)
    expect(until).to_have_attribute("aria-invalid", "true")
    expect(until).to_have_accessible_description(re.compile(re.escape(END_BEFORE_START)))
    # Neither date applies while they contradict each other: every result is counted.
    everyone = count_results(live_server.app)
    expect(stat(page, "results")).to_have_text(f"{everyone:,}")


# --- rubric quality and accounts ----------------------------------------------------------


def test_rubric_quality_page_shows_each_dimension(admin_page, live_server):
    page = admin_page
    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Rubric quality").click()
    expect(page).to_have_url(re.compile(r"/admin/quality$"))
    expect(page.locator("h1")).to_have_text("Do the questions measure what they claim?")
    rubric = live_server.app.extensions["quizapp.rubrics"][DEFAULT_RUBRIC]
    for dim in rubric.dimensions:
        section = page.locator(f"section[aria-labelledby=dq-{dim.id}]")
        expect(section.get_by_role("heading", level=2)).to_contain_text(dim.name)
        expect(section.locator("tbody tr")).to_have_count(len(dim.items))


def test_admin_creates_a_counselor_and_is_told_about_a_taken_name(admin_page, world):
    page = admin_page
    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Accounts").click()
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    accounts = page.locator("section[aria-labelledby=accounts-title]")
    expect(accounts.get_by_role("row").filter(has_text=world.counselor)).to_have_count(1)

    name = new_username("new-counselor")
    page.get_by_label("Username", exact=True).fill(name)
    page.get_by_label("Role", exact=True).select_option("counselor")
    posted, landed = submit_form(page, "Create account")
    assert posted.status == landed.status == 200  # the page with the link, no redirect
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    expect(page.locator(".notice-success")).to_have_text(f"Created the counselor account '{name}'.")
    page.goto("/admin/users")
    row = accounts.get_by_role("row").filter(has=page.get_by_role("cell", name=name, exact=True))
    expect(row.locator("td").nth(1)).to_have_text("Counselor")
    expect(row.locator(".status")).to_have_text("No password yet")

    page.get_by_label("Username", exact=True).fill(world.counselor.upper())
    posted, _ = submit_form(page, "Create account")
    assert posted.status == 422
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Username")).to_have_attribute("href", "#username")
    username = page.get_by_label("Username", exact=True)
    expect(username).to_have_attribute("aria-invalid", "true")
    expect(username).to_have_accessible_description(re.compile(r"Error: There is already"))
    expect(page.locator(".notice-success")).to_have_count(0)


# --- a phone-sized screen -----------------------------------------------------------------


def test_admin_pages_fit_a_narrow_screen(new_context, admin_state, world):
    context = new_context(
        viewport=NARROW, is_mobile=True, has_touch=True, storage_state=admin_state
    )
    page = context.new_page()
    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Dimensions")).to_be_visible()
    assert_fits(page, NARROW["width"], "the statistics page")
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    assert_fits(page, NARROW["width"], "the statistics page with the chart tables open")
    apply_link_filter(page, world.link_label)
    assert_fits(page, NARROW["width"], "the filtered statistics page")
    page.goto("/admin/quality")
    assert_fits(page, NARROW["width"], "the rubric quality page")
    page.goto("/admin/users")
    assert_fits(page, NARROW["width"], "the accounts page")


# --- accessibility and HTML validity ------------------------------------------------------


EXPECTED_STATUS = {
    "dashboard": 200,
    "dashboard-filtered": 200,
    "dashboard-nothing-matches": 200,
    "dashboard-dates-backwards": 200,
    "quality": 200,
    "quality-link-filter": 200,
    "users": 200,
    "users-with-error": 422,
}


@pytest.fixture(scope="module")
def visited(browser, live_server, world, admin_state) -> dict[str, Visit]:
    """Visit each kind of admin page once: keep its HTML and run axe on it."""
    context = browser.new_context(
        base_url=live_server.url, viewport=DESKTOP, storage_state=admin_state
    )
    context.set_default_timeout(10_000)
    page = context.new_page()

    def record(response) -> Visit:
        return record_visit(page, response)

    visits = {"dashboard": record(page.goto("/admin/"))}
    page.get_by_label("Quiz link", exact=True).select_option(label=world.link_label)
    with page.expect_navigation() as landed:
        page.get_by_role("button", name="Apply filters").click()
    visits["dashboard-filtered"] = record(landed.value)
    visits["dashboard-nothing-matches"] = record(page.goto(NOTHING_MATCHES))
    assert page.get_by_role("heading", name=WITHHELD).is_visible()
    visits["dashboard-dates-backwards"] = record(page.goto(DATES_BACKWARDS))
    assert page.get_by_text(END_BEFORE_START).is_visible()
    visits["quality"] = record(page.goto("/admin/quality"))
    visits["quality-link-filter"] = record(page.goto(f"/admin/quality?link={world.link_id}"))
    assert page.get_by_text("The quiz link filter does not apply on this page").is_visible()
    visits["users"] = record(page.goto("/admin/users"))
    page.get_by_label("Username", exact=True).fill(world.counselor)
    visits["users-with-error"] = record(submit_form(page, "Create account")[0])
    context.close()
    return visits


def test_admin_pages_answer_with_the_expected_status(visited):
    assert {name: v.status for name, v in visited.items()} == EXPECTED_STATUS


@pytest.mark.parametrize("name", list(EXPECTED_STATUS))
def test_admin_page_has_no_wcag_violations(visited, name):
    assert_no_violations(visited, name)


def test_admin_pages_are_valid_html(visited):
    assert_valid_html(visited)
