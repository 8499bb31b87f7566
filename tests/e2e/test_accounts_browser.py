"""Accounts in a real headless Chromium: an admin creates a counselor, copies the set-password
link, and the counselor chooses a password with it and signs in, at 1280 and 375 pixels.

The admin is created directly in the live server's database; everything else goes through the
pages with CSRF on. Every page on the way is checked with axe-core and the Nu Html Checker.
"""

from __future__ import annotations

import re
from uuid import uuid4

import pytest
from playwright.sync_api import expect

from .helpers import (
    add_staff,
    assert_no_violations,
    assert_valid_html,
    record_visit,
    sideways_overflow,
    sign_in,
    submit_form,
)

pytestmark = pytest.mark.browser

VIEWPORTS = {"1280px": {"width": 1280, "height": 900}, "375px": {"width": 375, "height": 800}}
NEW_PASSWORD = "a password of my own"
LINK = re.compile(r"^http://127\.0\.0\.1:\d+/account/set-password/[A-Za-z0-9_-]{40,}$")


def new_username(prefix: str) -> str:
    return f"{prefix}-{uuid4().hex[:10]}"


def assert_fits(page, width: int, what: str) -> None:
    overflow = sideways_overflow(page, width)
    assert overflow is None, f"{what} scrolls sideways: {overflow}"


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_create_a_counselor_copy_the_link_set_a_password_and_sign_in(
    new_context, live_server, size
):
    viewport = VIEWPORTS[size]
    width = viewport["width"]
    admin = add_staff(live_server.app, new_username("admin"), role="admin")
    context = new_context(viewport=viewport, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    assert sign_in(page, admin).status == 302
    visits = {}

    # The admin creates the account: a username and a role, no password.
    response = page.goto("/admin/users")
    visits["accounts"] = record_visit(page, response)
    assert_fits(page, width, "the accounts page")
    expect(page.get_by_label("Password", exact=True)).to_have_count(0)
    name = new_username("counselor")
    page.get_by_label("Username", exact=True).fill(name)
    page.get_by_label("Role", exact=True).select_option("counselor")
    posted, landed = submit_form(page, "Create account")
    assert posted.status == landed.status == 200  # the page itself, no redirect
    assert posted.headers["cache-control"] == "no-store"
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    expect(page.locator(".notice-success")).to_have_text(f"Created the counselor account '{name}'.")
    visits["link-shown"] = record_visit(page, landed)
    assert_fits(page, width, "the page with the link")

    # The link sits in a read-only field; the Copy link button puts it on the clipboard.
    field = page.get_by_label("Set-password link", exact=True)
    expect(field).to_have_attribute("readonly", "")
    link = field.input_value()
    assert LINK.match(link), link
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator(".copy-status")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == link

    # Shown once: reloading sends the form again, which cannot create the account twice.
    visits["link-gone"] = record_visit(page, page.reload())
    expect(page.locator("#error-summary")).to_contain_text(
        f"There is already a user called '{name}'."
    )
    assert link.rsplit("/", 1)[1] not in page.content()
    page.goto("/admin/users")
    row = page.locator("section[aria-labelledby=accounts-title]").get_by_role("row")
    row = row.filter(has=page.get_by_role("cell", name=name, exact=True))
    expect(row.locator(".status")).to_have_text("No password yet")
    expect(row.locator("td").nth(4)).to_have_text("Never")

    # A change of role asks first, on a page of its own; Cancel changes nothing.
    row.get_by_role("link", name=re.compile(rf"^Make admin\W+{name}$")).click()
    expect(page).to_have_url(re.compile(r"/admin/users/\d+/role\?to=admin$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Make {name} an admin?")
    visits["role-confirm"] = record_visit(page, page.reload())
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    expect(row.locator("td").nth(1)).to_have_text("Counselor")
    visits["remove-confirm"] = record_visit(
        page, page.goto(row.get_by_role("link", name=f"Remove {name}").get_attribute("href"))
    )
    expect(page.get_by_role("heading", name=f"Remove {name}")).to_be_visible()

    # The counselor, in a browser of their own, opens the link and chooses a password.
    counselor = new_context(viewport=viewport).new_page()
    response = counselor.goto(link)
    assert response.headers["cache-control"] == "no-store"
    visits["set-password"] = record_visit(counselor, response)
    assert_fits(counselor, width, "the set-password page")
    expect(counselor.get_by_role("heading", name="Choose your password")).to_be_visible()
    counselor.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    counselor.get_by_label("The same password again", exact=True).fill(NEW_PASSWORD + "!")
    posted, _ = submit_form(counselor, "Set password and sign in")
    assert posted.status == 422
    expect(counselor.locator("#error-summary")).to_be_focused()
    confirm = counselor.get_by_label("The same password again", exact=True)
    expect(confirm).to_have_attribute("aria-invalid", "true")
    expect(confirm).to_have_accessible_description(re.compile("not the same"))
    visits["set-password-with-error"] = record_visit(counselor, posted)

    counselor.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    confirm.fill(NEW_PASSWORD)
    posted, landed = submit_form(counselor, "Set password and sign in")
    assert posted.status == 303
    expect(counselor).to_have_url(re.compile(r"/counselor/$"))
    expect(counselor.locator(".notice-success")).to_have_text(
        "Your password is set and you are signed in."
    )
    visits["signed-in"] = record_visit(counselor, landed)

    # The link is spent; the password works at the sign-in page.
    response = counselor.goto(link)
    assert response.status == 410
    expect(counselor.locator("h1")).to_have_text("This link is no longer open")
    visits["link-used"] = record_visit(counselor, response)
    fresh = new_context(viewport=viewport).new_page()
    assert sign_in(fresh, name, NEW_PASSWORD).status == 302
    expect(fresh).to_have_url(re.compile(r"/counselor/$"))

    page.goto("/admin/users")
    expect(row.locator(".status")).to_have_text("Active")
    expect(row.locator("td").nth(4)).not_to_have_text("Never")

    for visit in visits:
        assert_no_violations(visits, visit)
    assert_valid_html(visits)


def test_the_link_can_be_copied_without_javascript(new_context, live_server):
    admin = add_staff(live_server.app, new_username("admin"), role="admin")
    page = new_context(viewport=VIEWPORTS["1280px"], java_script_enabled=False).new_page()
    assert sign_in(page, admin).status == 302
    page.goto("/admin/users")
    page.get_by_label("Username", exact=True).fill(new_username("counselor"))
    submit_form(page, "Create account")
    field = page.get_by_label("Set-password link", exact=True)
    expect(field).to_be_visible()
    expect(field).to_have_attribute("readonly", "")
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()
    field.select_text()
    assert page.evaluate("window.getSelection().toString() || document.activeElement.value")
    assert LINK.match(field.input_value())
