"""A set-password link made on the accounts pages is in that one response and nowhere else:
never in a cookie, never behind a redirect."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from quizapp.storage import db
from quizapp.storage.account_links import LinkClosed, open_account
from quizapp.storage.models import utc_now
from tests.conftest import login, user_id

LINK_FIELD = re.compile(r'id="password-link" type="text" readonly value="http://localhost([^"]+)"')


def create(client, app):
    return client.post("/admin/users", data={"username": "carol", "role": "counselor"})


def reset(client, app):
    return client.post(f"/admin/users/{user_id(app, 'anna')}/password")


def promote(client, app):
    data = {"role": "admin", "confirm": "yes"}
    return client.post(f"/admin/users/{user_id(app, 'anna')}/role", data=data)


def session_in_cookie(app, client) -> dict:
    """The admin's session as the browser holds it, decoded with the app's own serializer."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    if cookie is None:
        return {}
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


def strings_in(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)


def shown_path(response) -> str:
    found = LINK_FIELD.search(response.get_data(as_text=True))
    assert found, response.get_data(as_text=True)[:500]
    return found.group(1)


@pytest.mark.parametrize("make", [create, reset, promote])
def test_the_link_is_in_the_response_and_in_no_cookie(app, staff, make):
    client = staff["root"]
    response = make(client, app)
    held = list(strings_in(session_in_cookie(app, client)))
    with app.app_context():
        for value in held:
            with pytest.raises(LinkClosed):
                open_account(db.session(), value, utc_now())

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    path = shown_path(response)
    token = path.rsplit("/", 1)[1]
    assert not any(token in value for value in held)
    assert not any(token in c for c in response.headers.getlist("Set-Cookie"))
    assert app.test_client().get(path).status_code == 200  # the link works


def test_sending_the_create_form_again_says_the_name_is_taken(app, staff):
    assert create(staff["root"], app).status_code == 200
    again = create(staff["root"], app)
    assert again.status_code == 422
    page = again.get_data(as_text=True)
    assert "There is already a user called &#39;carol&#39;." in page
    assert "/account/set-password/" not in page


def test_sending_the_reset_form_again_shows_a_new_link_and_closes_the_old(app, staff):
    first = reset(staff["root"], app)
    assert "only the newest link of an account works" in first.get_data(as_text=True)
    second = reset(staff["root"], app)
    assert second.status_code == 200
    assert shown_path(second) != shown_path(first)
    assert app.test_client().get(shown_path(first)).status_code == 410
    assert app.test_client().get(shown_path(second)).status_code == 200


def test_sending_the_promotion_again_shows_no_second_link(app, staff):
    assert promote(staff["root"], app).status_code == 200
    again = promote(staff["root"], app)
    assert again.status_code == 303
    page = staff["root"].get(again.location).get_data(as_text=True)
    assert "&#39;anna&#39; is already an admin." in page
    assert "/account/set-password/" not in page
    assert login(app.test_client(), "anna").status_code == 422  # the password stays cleared


def test_there_is_no_page_that_shows_a_link_later(app, staff):
    assert staff["root"].get(f"/admin/users/{user_id(app, 'anna')}/link").status_code == 404
