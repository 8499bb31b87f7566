"""A change of role and a removal happen only on a second page's Confirm button, without
JavaScript: a post that skipped that page changes nothing."""

from __future__ import annotations

import re

import pytest

from quizapp.storage import db
from quizapp.storage.users import find_user
from tests.conftest import PASSWORD, add_user, login, make_app, role_of, user_id

CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def row_of(page: str, name: str) -> str:
    return re.search(rf"<td>{name}(?:(?!</tr>).)*</tr>", page, re.S).group(0)


def test_the_role_buttons_are_links_to_a_confirmation_page(app, staff):
    page = staff["root"].get("/admin/users").get_data(as_text=True)
    anna, root = user_id(app, "anna"), user_id(app, "root")
    assert f'<a class="link-button" href="/admin/users/{anna}/role?to=admin">Make admin' in (
        row_of(page, "anna")
    )
    assert f'href="/admin/users/{root}/role?to=counselor">Make counselor' in row_of(page, "root")
    assert "/role" not in "".join(re.findall(r"<form[^>]*>", page))


def test_the_demotion_page_says_what_happens_and_changes_nothing(app, staff):
    add_user(app, "zoe", "admin")
    zoe = user_id(app, "zoe")
    response = staff["root"].get(f"/admin/users/{zoe}/role?to=counselor")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>Make zoe a counselor?</h1>" in page
    assert "<strong>zoe</strong> becomes a counselor and loses the admin pages" in page
    form = page.split('id="role-title"', 1)[1]
    assert f'<form method="post" action="/admin/users/{zoe}/role"' in form
    assert 'name="role" type="hidden" value="counselor"' in form
    assert 'name="confirm" type="hidden" value="yes"' in form
    assert ">Make zoe a counselor</button>" in form
    assert '<a class="button button-secondary" href="/admin/users">Cancel</a>' in form
    assert role_of(app, "zoe") == "admin"


def test_stepping_down_oneself_says_you_lose_the_admin_pages(app, staff):
    add_user(app, "zoe", "admin")
    page = staff["root"].get(f"/admin/users/{user_id(app, 'root')}/role?to=counselor")
    assert "You become a counselor and lose the admin pages" in page.get_data(as_text=True)


def test_the_promotion_page_says_the_password_is_cleared(app, staff):
    page = staff["root"].get(f"/admin/users/{user_id(app, 'anna')}/role?to=admin")
    text = page.get_data(as_text=True)
    assert "<h1>Make anna an admin?</h1>" in text
    assert "their current password is cleared and their open sessions end" in text
    assert "the next page shows a set-password link to send them" in text
    assert role_of(app, "anna") == "counselor"
    assert login(app.test_client(), "anna").status_code == 302  # the password is still there


@pytest.mark.parametrize(("name", "role"), [("anna", "admin"), ("zoe", "counselor")])
def test_a_role_post_without_the_confirmation_changes_nothing(app, staff, name, role):
    add_user(app, "zoe", "admin")
    before = role_of(app, name)
    account = user_id(app, name)
    response = staff["root"].post(f"/admin/users/{account}/role", data={"role": role})
    assert response.status_code == 303
    assert response.location == f"/admin/users/{account}/role?to={role}"
    assert role_of(app, name) == before
    assert login(app.test_client(), name).status_code == 302


@pytest.mark.parametrize("query", ["?to=owner", ""])
def test_an_unknown_role_has_no_confirmation_page(app, staff, query):
    response = staff["root"].get(f"/admin/users/{user_id(app, 'anna')}/role{query}")
    assert response.status_code == 404


def test_asking_for_the_role_an_account_has_changes_nothing(app, staff):
    response = staff["root"].get(
        f"/admin/users/{user_id(app, 'anna')}/role?to=counselor", follow_redirects=True
    )
    assert "&#39;anna&#39; is already a counselor." in response.get_data(as_text=True)
    assert role_of(app, "anna") == "counselor"


def test_a_removal_post_without_the_confirmation_changes_nothing(app, staff):
    ben = user_id(app, "ben")
    response = staff["root"].post(f"/admin/users/{ben}/remove")
    assert response.status_code == 303
    assert response.location == f"/admin/users/{ben}/remove"
    with app.app_context():
        assert find_user(db.session(), "ben") is not None
    page = staff["root"].get(response.location).get_data(as_text=True)
    assert 'name="confirm" type="hidden" value="yes"' in page


def test_the_confirm_buttons_work_with_csrf_on(tmp_path, migrated_db):
    app = make_app(tmp_path, migrated_db, WTF_CSRF_ENABLED=True)
    add_user(app, "root", "admin")
    add_user(app, "zoe", "admin")
    add_user(app, "ben")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    data = {"username": "root", "password": PASSWORD, "csrf_token": CSRF_FIELD.search(page)[1]}
    assert client.post("/login", data=data).status_code == 302
    zoe, ben = user_id(app, "zoe"), user_id(app, "ben")

    unsigned = client.post(f"/admin/users/{zoe}/role", data={"role": "counselor", "confirm": "yes"})
    assert unsigned.status_code == 400
    assert role_of(app, "zoe") == "admin"
    page = client.get(f"/admin/users/{zoe}/role?to=counselor").get_data(as_text=True)
    token = CSRF_FIELD.search(page.split('id="role-title"', 1)[1])[1]
    data = {"role": "counselor", "confirm": "yes", "csrf_token": token}
    assert client.post(f"/admin/users/{zoe}/role", data=data).status_code == 303
    assert role_of(app, "zoe") == "counselor"

    page = client.get(f"/admin/users/{ben}/remove").get_data(as_text=True)
    token = CSRF_FIELD.search(page.split('id="remove-title"', 1)[1])[1]
    assert client.post(f"/admin/users/{ben}/remove", data={"csrf_token": token}).status_code == 303
    with app.app_context():
        assert find_user(db.session(), "ben") is not None  # no confirm: nothing removed
    data = {"csrf_token": token, "confirm": "yes"}
    assert client.post(f"/admin/users/{ben}/remove", data=data).status_code == 303
    with app.app_context():
        assert find_user(db.session(), "ben") is None
