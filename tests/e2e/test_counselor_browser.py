"""Counselors in a real headless Chromium: signing in, sharing a quiz link, group results.

A counselor account is created directly in the live server's database; everything else goes
through the pages, with CSRF on. Quiz takers use their own browser contexts (other people,
never signed in). To reach the sizes at which group figures are released quickly (10, then 30), some responses are
posted the way the quiz form would post them, with its CSRF token, without rendering the page.
"""

from __future__ import annotations

import re
from uuid import uuid4

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from quizapp.storage import db
from quizapp.storage.models import QuizLink, Result

from .helpers import (
    DEFAULT_RUBRIC,
    Visit,
    add_staff,
    answer_quiz,
    assert_no_violations,
    assert_valid_html,
    count_results,
    create_link,
    post_quiz,
    quiz_values,
    record_visit,
    result_token,
    sideways_overflow,
    sign_in,
    submit_form,
    submit_quiz,
)

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
NARROW = {"width": 375, "height": 800}
LABEL = "Spring cohort, evening class"
LINK_PAGE = re.compile(r"/counselor/links/(\d+)$")
SIGNED_OUT_FLASH = "You have signed out."

# Group figures as docs/privacy.md ("What is released") describes them for k = 5, the default
# QUIZAPP_COHORT_MIN_SIZE that the live server keeps: a link's figures are released over its
# first 10 scored responses, then 30 (from which the band table shows), then 100, and each
# average is "within about ±N points" of the true one, N depending on the release's size.
K = 5
FIRST_RELEASE = 2 * K
BAND_TABLE_FROM = 6 * K
LAST_RELEASE = 20 * K
MARGIN = {FIRST_RELEASE: 22, BAND_TABLE_FROM: 8}
EVERYONE_FROM = 100  # everyone's means need this many results of the quiz version
BAND_TABLE_WITHHELD = "too alike to show without singling people out"
# People of two bands, half "Strong fit" and half "Not an obvious fit" in any 2n of them, so
# that a band table of a whole release has two cells well above k.
LEVELS = (0.95, 0.2, 0.8, 0.3, 0.9, 0.4)


def rubric_of(live_server):
    return live_server.app.extensions["quizapp.rubrics"][DEFAULT_RUBRIC]


def cohort_minimum(live_server) -> int:
    k = int(live_server.app.config["COHORT_MIN_SIZE"])
    assert k == K, f"these tests expect QUIZAPP_COHORT_MIN_SIZE = {K}, the default, not {k}"
    return k


def group_of(rubric, people: int) -> list[dict[str, str]]:
    """Form values for ``people`` quiz takers, cycling through LEVELS."""
    return [quiz_values(rubric, LEVELS[n % len(LEVELS)]) for n in range(people)]


def everyone_hint(live_server, size: int) -> re.Pattern:
    """The hint under each dimension bar of a release made now: everyone's mean is a dash until
    the quiz version has 100 results (other tests of the session add results too)."""
    results = count_results(live_server.app, rubric_id=DEFAULT_RUBRIC)
    everyone = "–" if results < EVERYONE_FROM else r"\d+"
    return re.compile(rf"^About ±{MARGIN[size]} · everyone: {everyone}$")


def new_username(prefix: str = "counselor") -> str:
    return f"{prefix}-{uuid4().hex[:10]}"


def link_results(live_server, code: str) -> int:
    """How many stored results came in through the link with this code."""
    with live_server.app.app_context():
        session = db.session()
        link_id = session.scalar(select(QuizLink.id).where(QuizLink.code == code))
        assert link_id is not None, f"no link with code {code!r}"
        return session.scalar(select(func.count()).where(Result.link_id == link_id))


def code_of(share_url: str) -> str:
    found = re.search(r"/q/([A-Za-z0-9_-]+)$", share_url)
    assert found, f"not a quiz link address: {share_url}"
    return found.group(1)


def add_responses(context, share_url: str, people: list[dict[str, str]]) -> None:
    """Post a whole quiz through the link once for each set of form values."""
    path = "/q/" + code_of(share_url)
    for values in people:
        posted = post_quiz(context.request, path, values)
        assert posted.status == 303, f"posting a complete quiz gave {posted.status}"
        assert re.search(r"/r/[A-Za-z0-9_-]{20,}$", posted.headers["location"])


def assert_fits(page, width: int, what: str) -> None:
    overflow = sideways_overflow(page, width)
    assert overflow is None, f"{what} scrolls sideways: {overflow}"


@pytest.fixture
def counselor(live_server) -> str:
    """A new counselor account (username; the password is helpers.STAFF_PASSWORD)."""
    return add_staff(live_server.app, new_username())


# --- the whole journey --------------------------------------------------------------------


def test_counselor_shares_a_link_and_sees_one_response_counted(new_context, live_server, counselor):
    staff = new_context(viewport=DESKTOP).new_page()
    assert sign_in(staff, counselor).status == 302
    expect(staff).to_have_url(re.compile(r"/counselor/$"))
    expect(staff.locator("h1")).to_have_text("Quiz links")
    expect(staff.get_by_role("heading", name="No links yet")).to_be_visible()

    staff.get_by_role("link", name="Create a quiz link").click()
    expect(staff).to_have_url(re.compile(r"/counselor/links/new$"))
    staff.get_by_label("Label", exact=True).fill(LABEL)
    posted, landed = submit_form(staff, "Create link")
    assert posted.status == 303
    assert landed.status == 200
    expect(staff).to_have_url(LINK_PAGE)
    link_page = staff.url
    expect(staff.locator("h1")).to_have_text(LABEL)
    expect(staff.locator(".notice-success")).to_have_text("Your quiz link is ready to share.")

    share = staff.get_by_label("Quiz address")
    expect(share).to_have_value(
        re.compile(rf"^{re.escape(live_server.url)}/q/[A-Za-z0-9_-]{{8,}}$")
    )
    share_url = share.input_value()
    qr = staff.get_by_role("img", name=re.compile(r"^QR code that opens"))
    expect(qr).to_have_attribute("alt", f"QR code that opens {share_url}")
    expect(qr).to_have_js_property("complete", True)
    assert qr.evaluate("img => img.naturalWidth") > 0, "the QR code image did not load"
    cohort = staff.locator("section[aria-labelledby=cohort-title]")
    minimum = cohort_minimum(live_server)
    expect(cohort.locator(".big-number")).to_have_text(f"Fewer than {minimum} responses so far")
    expect(cohort.get_by_role("heading", name="Fit bands")).to_have_count(0)

    # Someone else, not signed in, takes the quiz through the shared address.
    taker = new_context(viewport=DESKTOP).new_page()
    taker.goto(share_url)
    expect(taker.locator(".quiz-head .eyebrow")).to_contain_text("Shared by your counselor")
    expect(taker.locator(".link-notice")).to_contain_text(
        "Your counselor sees only figures for the group as a whole "
        f"(from {FIRST_RELEASE} people on, with deliberate noise), and never your result unless "
        "you choose to share its private link."
    )
    expect(taker.get_by_role("button", name="Log out")).to_have_count(0)
    answer_quiz(taker, likert=("Agree", "Strongly agree", "Disagree"), scenario_option=1)
    assert submit_quiz(taker).status == 303
    expect(taker).to_have_url(re.compile(r"/r/[A-Za-z0-9_-]{20,}$"))
    result_token(taker.url)
    expect(taker.get_by_role("heading", name="Your profile", level=2)).to_be_visible()
    assert link_results(live_server, code_of(share_url)) == 1

    staff.reload()
    expect(staff).to_have_url(link_page)
    # One response more, and nothing tells the counselor: the count is still a range.
    expect(cohort.locator(".big-number")).to_have_text(f"Fewer than {minimum} responses so far")
    expect(cohort).to_contain_text(
        f"Group figures appear once {FIRST_RELEASE} people have taken the quiz through this "
        f"link, then again at {BAND_TABLE_FROM} and at {LAST_RELEASE}."
    )
    expect(cohort.locator(".notice strong")).to_have_text(str(FIRST_RELEASE))
    expect(cohort.get_by_role("heading", name="Fit bands")).to_have_count(0)
    expect(cohort.locator(".bars")).to_have_count(0)
    expect(staff.locator(".notice-success")).to_have_count(0)

    staff.get_by_role("navigation", name="Main").get_by_role("link", name="Quiz links").click()
    row = staff.get_by_role("row").filter(has=staff.get_by_role("link", name=LABEL))
    expect(row.locator("td.num")).to_have_text(f"fewer than {minimum} responses")
    expect(row.locator(".status")).to_have_text("Open")


def test_group_figures_appear_at_10_responses_and_the_band_table_at_30(
    new_context, live_server, counselor
):
    rubric = rubric_of(live_server)
    minimum = cohort_minimum(live_server)
    staff = new_context(viewport=DESKTOP).new_page()
    sign_in(staff, counselor)
    share_url = create_link(staff, LABEL)
    link_page = staff.url
    takers = new_context()
    people = group_of(rubric, BAND_TABLE_FROM)

    add_responses(takers, share_url, people[: FIRST_RELEASE - 1])
    staff.reload()
    cohort = staff.locator("section[aria-labelledby=cohort-title]")
    # Nine responses: a range of one block of k, and still no figures at all.
    expect(cohort.locator(".big-number")).to_have_text(
        f"{minimum}–{2 * minimum - 1} responses so far"
    )
    expect(cohort).to_contain_text(f"Group figures appear once {FIRST_RELEASE} people")
    expect(cohort.locator(".cohort-scope")).to_have_count(0)
    expect(cohort.get_by_role("heading", name="Fit bands")).to_have_count(0)
    expect(cohort.locator(".bars")).to_have_count(0)

    # The tenth brings the first release: the means, no band table yet.
    add_responses(takers, share_url, people[FIRST_RELEASE - 1 : FIRST_RELEASE])
    hint = everyone_hint(live_server, FIRST_RELEASE)
    staff.reload()
    expect(cohort.locator(".big-number")).to_have_count(0)
    expect(cohort.locator(".cohort-scope")).to_contain_text(
        f"These figures cover the first {FIRST_RELEASE} responses "
        f"({FIRST_RELEASE}–{FIRST_RELEASE + minimum - 1} so far). They are made again when the "
        f"{BAND_TABLE_FROM}th response arrives, and not before."
    )
    expect(cohort.locator(".cohort-scope strong")).to_have_text(str(FIRST_RELEASE))
    expect(cohort.locator(".cohort-precision")).to_contain_text(
        f"within about ±{MARGIN[FIRST_RELEASE]} points of the group's true average 9 times in 10"
    )
    expect(cohort.get_by_role("heading", name="Fit bands", level=3)).to_be_visible()
    expect(cohort).to_contain_text(f"The band table appears at {BAND_TABLE_FROM} responses")
    expect(cohort.get_by_role("table")).to_have_count(0)

    bars = cohort.locator(".bars .bar-row")
    expect(bars.locator(".bar-name")).to_have_text([d.name for d in rubric.dimensions])
    expect(bars.locator("svg.bar .bar-fg")).to_have_count(len(rubric.dimensions))
    expect(bars.locator(".bar-hint")).to_have_text([hint] * len(rubric.dimensions))
    expect(cohort.get_by_text("Spread", exact=False)).to_have_count(0)
    heading = cohort.get_by_role("heading", name="Gaps to plan a session around", level=3)
    expect(heading).to_be_visible()
    expect(cohort.get_by_role("heading", name="Most common gaps", exact=False)).to_have_count(0)
    # The means carry noise, so the page shows whole numbers from the stored release: the same
    # ones the CSV gives, on every reload.
    shown = bars.locator(".bar-value").all_inner_texts()
    assert all(re.fullmatch(r"\d+ / 100", text) for text in shown), shown
    staff.reload()
    assert bars.locator(".bar-value").all_inner_texts() == shown
    csv_text = staff.request.get(link_page + "/cohort.csv").text().replace('"', "")
    for dim, text in zip(rubric.dimensions, shown, strict=True):
        assert f"{dim.name},group mean,{text.split()[0]}" in csv_text
    assert f"group,responses the figures cover,count,{FIRST_RELEASE}" in csv_text.splitlines()
    assert f"group,means within, 9 times in 10,points,±{MARGIN[FIRST_RELEASE]}" in csv_text
    assert f"band,all bands,people,shown from {BAND_TABLE_FROM} responses" in csv_text
    assert "typical distance" not in csv_text
    assert "as a gap" not in csv_text
    expect(cohort.get_by_role("link", name="Download the group summary (CSV)")).to_be_visible()

    # Up to 29 responses, the figures stay those of the first 10.
    add_responses(takers, share_url, people[FIRST_RELEASE:-1])
    staff.reload()
    expect(cohort.locator(".cohort-scope")).to_contain_text(
        f"These figures cover the first {FIRST_RELEASE} responses (25–29 so far)."
    )
    assert bars.locator(".bar-value").all_inner_texts() == shown
    expect(cohort.get_by_role("table")).to_have_count(0)

    # The thirtieth brings the second release, with the band table.
    add_responses(takers, share_url, people[-1:])
    hint = everyone_hint(live_server, BAND_TABLE_FROM)
    staff.reload()
    expect(cohort.locator(".cohort-scope")).to_contain_text(
        f"These figures cover the first {BAND_TABLE_FROM} responses "
        f"({BAND_TABLE_FROM}–{BAND_TABLE_FROM + minimum - 1} so far). They are made again when "
        f"the {LAST_RELEASE}th response arrives, and not before."
    )
    expect(cohort.locator(".cohort-precision")).to_contain_text(
        f"within about ±{MARGIN[BAND_TABLE_FROM]} points"
    )
    expect(cohort).not_to_contain_text("The band table appears at")
    expect(bars.locator(".bar-hint")).to_have_text([hint] * len(rubric.dimensions))
    csv_text = staff.request.get(link_page + "/cohort.csv").text().replace('"', "")
    assert f"group,means within, 9 times in 10,points,±{MARGIN[BAND_TABLE_FROM]}" in csv_text
    assert "shown from" not in csv_text
    # Half the group is in "Strong fit", half in "Not an obvious fit". Each count carries noise,
    # and neighbouring cells under k are merged: in about 1 group in 25 that leaves one cell,
    # and the table is withheld rather than show everyone in it.
    table = cohort.get_by_role("table")
    if table.count() == 0:
        expect(cohort).to_contain_text(BAND_TABLE_WITHHELD)
        assert "band,all bands,people,withheld" in csv_text
        return
    expect(table.get_by_role("columnheader")).to_have_text(["Band", "People (about)"])
    labels = table.locator("tbody th").all_inner_texts()
    assert len(labels) >= 2, labels
    # Merged cells are named "Strong fit or Possible fit"; together they cover every band.
    band_names = [b.label for b in sorted(rubric.bands, key=lambda b: -b.min)]
    assert " or ".join(labels).split(" or ") == [*band_names, "No band (answers unclear)"], labels
    counts = table.locator("tbody td").all_inner_texts()
    more = f"more than {BAND_TABLE_FROM - minimum}"
    assert all(re.fullmatch(rf"\d+|{more}", c) for c in counts), counts
    assert all(int(c) >= minimum for c in counts if c.isdigit()), counts
    for label, count in zip(labels, counts, strict=True):
        assert f"band,{label},people,{count}" in csv_text
    expect(cohort).to_contain_text("Each count carries noise of a few people either way.")


def test_wrong_password_is_refused_with_a_clear_message(page, counselor):
    assert sign_in(page, counselor, "not the password").status == 422
    expect(page).to_have_url(re.compile(r"/login$"))
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("That username and password do not match an active account.")
    expect(page.get_by_label("Username", exact=True)).to_have_value(counselor)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    page.goto("/counselor/")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_a_link_needs_a_label(page, counselor):
    sign_in(page, counselor)
    page.goto("/counselor/links/new")
    posted, _ = submit_form(page, "Create link")
    assert posted.status == 422
    expect(page).to_have_url(re.compile(r"/counselor/links/new$"))
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("Please check this")
    expect(summary.get_by_role("link", name="Label")).to_have_attribute("href", "#label")
    label = page.get_by_label("Label", exact=True)
    expect(label).to_have_attribute("aria-invalid", "true")
    expect(label).to_have_accessible_description(re.compile(r"Error: Give the link a label\."))
    summary.get_by_role("link", name="Label").click()
    expect(label).to_be_in_viewport()
    page.goto("/counselor/")
    expect(page.get_by_role("heading", name="No links yet")).to_be_visible()


def test_log_out_ends_the_session(new_context, counselor):
    context = new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, counselor)
    expect(page).to_have_url(re.compile(r"/counselor/$"))
    signed_in_cookies = context.cookies()

    posted, _ = submit_form(page, "Log out")
    assert posted.status == 302
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator(".notice-success")).to_have_text(SIGNED_OUT_FLASH)
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    page.goto("/counselor/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fcounselor%2F$"))
    expect(page.locator(".notice-info")).to_have_text("Please sign in to see that page.")

    # The old session cookie is worthless now: the server ended the session, not just the browser.
    replay = new_context(viewport=DESKTOP)
    replay.add_cookies(signed_in_cookies)
    again = replay.new_page()
    again.goto("/counselor/")
    expect(again).to_have_url(re.compile(r"/login\?next="))


def test_staff_pages_fit_a_narrow_screen(new_context, live_server, counselor):
    page = new_context(viewport=NARROW, is_mobile=True, has_touch=True).new_page()
    page.goto("/login")
    assert_fits(page, NARROW["width"], "the sign-in page")
    sign_in(page, counselor)
    share_url = create_link(page, LABEL)
    link_page = page.url
    assert_fits(page, NARROW["width"], "a new link's page")
    assert page.get_by_role("img", name=re.compile("^QR code")).evaluate("i => i.naturalWidth") > 0

    rubric = rubric_of(live_server)
    people = [quiz_values(rubric, level) for level in (0.95, 0.9, 0.7, 0.6, 0.3, 0.2)]
    add_responses(new_context(), share_url, (people * 2)[:FIRST_RELEASE])
    page.goto(link_page)
    expect(page.get_by_role("heading", name="Fit bands")).to_be_visible()
    expect(page.locator(".bars .bar-row")).to_have_count(len(rubric.dimensions))
    assert_fits(page, NARROW["width"], "a link's page with group figures")
    page.goto("/counselor/")
    expect(page.get_by_role("link", name=LABEL)).to_be_visible()
    assert_fits(page, NARROW["width"], "the list of quiz links")
    # Every column shows without scrolling the table sideways, down to the last one.
    close = page.get_by_role("button", name=f"Close {LABEL}")
    box = close.bounding_box()
    assert box and box["x"] + box["width"] <= NARROW["width"], f"the Close button is at {box}"
    expect(page.get_by_text("10–14 responses", exact=True)).to_be_visible()  # 10, as a range
    page.goto("/counselor/links/new")
    assert_fits(page, NARROW["width"], "the new link form")


# --- accessibility and HTML validity ------------------------------------------------------


EXPECTED_STATUS = {
    "login": 200,
    "login-with-error": 422,
    "dashboard-empty": 200,
    "new-link": 200,
    "new-link-with-error": 422,
    "link-created": 200,
    "dashboard": 200,
    "link-before-minimum": 200,
    "link-with-group-figures": 200,
    "link-with-band-table": 200,
    "login-after-log-out": 200,
}


@pytest.fixture(scope="module")
def visited(browser, live_server) -> dict[str, Visit]:
    """Visit each kind of staff page once: keep its HTML and run axe on it."""
    username = add_staff(live_server.app, new_username("checker"))
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()

    def record(response) -> Visit:
        return record_visit(page, response)

    visits = {"login": record(page.goto("/login"))}
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill("not the password")
    visits["login-with-error"] = record(submit_form(page, "Sign in")[0])
    sign_in(page, username)
    visits["dashboard-empty"] = record(page.goto("/counselor/"))
    visits["new-link"] = record(page.goto("/counselor/links/new"))
    visits["new-link-with-error"] = record(submit_form(page, "Create link")[0])
    page.get_by_label("Label", exact=True).fill(LABEL)
    page.get_by_label("Maximum number of responses (optional)").fill("40")
    visits["link-created"] = record(submit_form(page, "Create link")[1])
    link_page = page.url
    share_url = page.locator("#share-url").input_value()
    visits["dashboard"] = record(page.goto("/counselor/"))
    visits["link-before-minimum"] = record(page.goto(link_page))

    rubric = rubric_of(live_server)
    people = group_of(rubric, BAND_TABLE_FROM)
    taker = browser.new_context(base_url=live_server.url)
    add_responses(taker, share_url, people[:FIRST_RELEASE])
    visits["link-with-group-figures"] = record(page.goto(link_page))
    assert page.locator(".cohort-scope").is_visible()
    assert page.get_by_role("heading", name="Fit bands").is_visible()
    assert page.get_by_role("table").count() == 0  # the band table waits for 30 responses

    add_responses(taker, share_url, people[FIRST_RELEASE:])
    response = page.goto(link_page)
    # In about 1 group in 25 the noise merges the bands into one cell and the table is withheld:
    # then a new link's group is taken, so that the table itself is checked.
    for attempt in range(2, 5):
        if page.get_by_role("table").count():
            break
        assert page.get_by_text(BAND_TABLE_WITHHELD).is_visible()
        share_url = create_link(page, f"{LABEL} ({attempt})", max_responses=40)
        add_responses(taker, share_url, people)
        response = page.reload()
    taker.close()
    visits["link-with-band-table"] = record(response)
    assert page.get_by_role("table").is_visible(), "three groups in a row had no band table"
    visits["login-after-log-out"] = record(submit_form(page, "Log out")[1])
    assert page.locator(".notice-success").inner_text() == SIGNED_OUT_FLASH
    context.close()
    return visits


def test_staff_pages_answer_with_the_expected_status(visited):
    assert {name: v.status for name, v in visited.items()} == EXPECTED_STATUS


@pytest.mark.parametrize("name", list(EXPECTED_STATUS))
def test_staff_page_has_no_wcag_violations(visited, name):
    assert_no_violations(visited, name)


def test_staff_pages_are_valid_html(visited):
    assert_valid_html(visited)


# --- link tools: editing, archiving, the message to share -----------------------------------


@pytest.mark.parametrize("viewport", [DESKTOP, NARROW], ids=["1280px", "375px"])
def test_link_tools_pages_are_accessible_and_valid(new_context, live_server, counselor, viewport):
    width = viewport["width"]
    context = new_context(viewport=viewport, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    sign_in(page, counselor)
    label = f"{LABEL} at {width}px"
    share_url = create_link(page, label)
    link_page = page.url

    # The message to paste, with a working Copy text button (the textarea stays selectable).
    message = page.get_by_label("A message to send with it")
    expect(message).to_have_attribute("readonly", "")
    expect(message).to_contain_text(share_url)
    expect(message).to_contain_text("never your individual result")
    page.get_by_role("button", name="Copy text").click()
    expect(page.locator(".share-message .copy-status")).to_have_text("Text copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == message.input_value()
    visits = {"link-with-share-text": record_visit(page, page.reload())}

    with page.expect_navigation() as opened:
        page.get_by_role("link", name="Edit link").click()
    visits["edit-link"] = record_visit(page, opened.value)
    expect(page.locator("h1")).to_have_text("Edit the quiz link")
    assert_fits(page, width, "the edit page")
    page.get_by_label("Maximum number of responses (optional)").fill("3")
    posted, _ = submit_form(page, "Save changes")
    visits["edit-link-with-error"] = record_visit(page, posted)
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary")).to_contain_text("With fewer than 5 responses")
    assert_fits(page, width, "the edit page with an error")

    page.goto(link_page)
    posted, landed = submit_form(page, "Archive this link")
    assert (posted.status, landed.status) == (303, 200)
    expect(page).to_have_url(re.compile(r"/counselor/$"))
    expect(page.get_by_role("link", name=label)).to_have_count(0)
    page.get_by_role("link", name=re.compile(r"^Show archived links \(\d+\)$")).click()
    expect(page).to_have_url(re.compile(r"/counselor/\?archived=1$"))
    visits["dashboard-archived"] = record_visit(page, page.reload())
    expect(page.get_by_role("link", name=label)).to_be_visible()
    expect(page.get_by_role("button", name=f"Reopen {label}")).to_be_visible()
    assert_fits(page, width, "the archived links")
    assert link_results(live_server, code_of(share_url)) == 0

    assert {name: v.status for name, v in visits.items()} == {
        "link-with-share-text": 200,
        "edit-link": 200,
        "edit-link-with-error": 422,
        "dashboard-archived": 200,
    }
    for name in visits:
        assert_no_violations(visits, name)
    assert_valid_html(visits)


@pytest.mark.parametrize("viewport", [DESKTOP, NARROW], ids=["1280px", "375px"])
def test_group_report_and_comparison_are_accessible_and_valid(
    new_context, live_server, counselor, viewport
):
    width = viewport["width"]
    page = new_context(viewport=viewport).new_page()
    sign_in(page, counselor)
    rubric = rubric_of(live_server)
    before = create_link(page, f"Before the course at {width}px")
    before_page = page.url
    after = create_link(page, f"After the course at {width}px")
    people = [quiz_values(rubric, level) for level in (0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3)]
    takers = new_context()
    add_responses(takers, before, (people * 2)[:FIRST_RELEASE])  # 10: the first release
    add_responses(takers, after, (people[3:] * 3)[:FIRST_RELEASE])

    page.goto(before_page)
    visits = {"link-with-figures": record_visit(page, page.reload())}
    with page.expect_navigation() as opened:
        page.get_by_role("link", name="Printable group report").click()
    visits["group-report"] = record_visit(page, opened.value)
    expect(page.locator("h1")).to_have_text(f"Before the course at {width}px")
    expect(page.locator(".cohort-scope")).to_contain_text(f"first {FIRST_RELEASE} responses")
    expect(page.get_by_role("heading", name="Fit bands", level=2)).to_be_visible()
    assert_fits(page, width, "the group report")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    page.emulate_media(media="screen")

    page.goto(before_page)
    page.get_by_role("link", name="Compare with another link").click()
    page.get_by_label("Second link").select_option(label=f"After the course at {width}px")
    with page.expect_navigation() as opened:
        page.get_by_role("button", name="Compare").click()
    visits["compare"] = record_visit(page, opened.value)
    sides = page.locator(".columns > section")
    expect(sides).to_have_count(2)
    for side in (sides.nth(0), sides.nth(1)):
        expect(side.locator(".cohort-scope")).to_contain_text(f"first {FIRST_RELEASE} responses")
        expect(side.locator(".bars .bar-row")).to_have_count(len(rubric.dimensions))
    assert_fits(page, width, "the comparison")

    assert {name: v.status for name, v in visits.items()} == dict.fromkeys(visits, 200)
    for name in visits:
        assert_no_violations(visits, name)
    assert_valid_html(visits)
    assert after  # both links took responses through their shared addresses


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_group_report_prints_on_one_page(new_context, live_server, counselor, paper):
    page = new_context(viewport=DESKTOP).new_page()
    sign_in(page, counselor)
    rubric = rubric_of(live_server)
    share_url = create_link(page, f"Printed on {paper}")
    # 30 people: the longest report, with the band table (unless the noise withholds it).
    add_responses(new_context(), share_url, group_of(rubric, BAND_TABLE_FROM))
    page.goto(page.url + "/report")
    expect(page.locator(".cohort-scope")).to_contain_text(f"first {BAND_TABLE_FROM} responses")
    pdf = page.pdf(format=paper, print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == 1, f"the group report prints on {pages} {paper} pages"
