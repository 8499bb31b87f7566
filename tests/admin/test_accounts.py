"""Accounts without typed-in passwords: set-password links, last sign-in, roles and removal."""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import urllib.error
import urllib.request

import pytest
from sqlalchemy import select, update
from werkzeug.serving import make_server

from quizapp.storage import db
from quizapp.storage.account_links import token_hash
from quizapp.storage.models import (
    PasswordLink,
    QuizLink,
    Result,
    StaffSession,
    User,
    today,
    utc_now,
)
from quizapp.storage.users import find_user
from tests.conftest import add_link, add_result, add_user, login, user_id

NEW_PASSWORD = "my own long password"
CONFIRMED_DEMOTION = {"role": "counselor", "confirm": "yes"}
LINK_FIELD = re.compile(r'id="password-link" type="text" readonly value="([^"]+)"')


def shown_link(response) -> str:
    """The link on the page that answers the post that made it."""
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    page = response.get_data(as_text=True)
    found = LINK_FIELD.search(page)
    assert found, page
    return found.group(1)


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def create(staff, username: str, role: str = "counselor") -> str:
    response = staff["root"].post("/admin/users", data={"username": username, "role": role})
    return shown_link(response)


def reset(app, staff, username: str) -> str:
    response = staff["root"].post(f"/admin/users/{user_id(app, username)}/password")
    return shown_link(response)


def choose(client, url: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    data = {"password": password, "confirm": password if confirm is None else confirm}
    return client.post(url.removeprefix("http://localhost"), data=data)


def stored_links(app) -> list[PasswordLink]:
    with app.app_context():
        return list(db.session().scalars(select(PasswordLink)))


# --- creating an account and choosing its password --------------------------------------


def test_a_new_counselor_gets_a_link_shown_once_and_only_its_hash_is_stored(app, staff):
    response = staff["root"].post("/admin/users", data={"username": " Carol ", "role": "counselor"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Created the counselor account &#39;carol&#39;." in page
    assert "It works once, for 72 hours" in page
    url = LINK_FIELD.search(page).group(1)
    assert url.startswith("http://localhost/account/set-password/")
    assert 'data-copy="password-link"' in page  # the copy button; the readonly field works alone
    token = token_of(url)
    assert len(token) >= 40

    (stored,) = stored_links(app)
    assert stored.token_hash == token_hash(token)
    assert token not in (stored.token_hash, str(stored.id))
    assert abs(stored.expires_at - (utc_now() + dt.timedelta(hours=72))) < dt.timedelta(minutes=1)

    users_page = staff["root"].get("/admin/users").get_data(as_text=True)
    assert "No password yet" in users_page


def test_a_new_account_cannot_sign_in_before_choosing_a_password(app, staff):
    create(staff, "carol")
    with app.app_context():
        assert find_user(db.session(), "carol").password_hash == ""
    for attempt in ("", "x", NEW_PASSWORD):
        assert login(app.test_client(), "carol", attempt).status_code == 422


def test_choosing_a_password_signs_in_and_closes_the_link(app, staff):
    url = create(staff, "carol")
    client = app.test_client()
    form = client.get(url)
    assert form.status_code == 200
    assert form.headers["Cache-Control"] == "no-store"
    page = form.get_data(as_text=True)
    assert "You are choosing the password of the account <strong>carol</strong>" in page
    assert "At least 8 characters." in page

    response = choose(client, url)
    assert response.status_code == 303
    assert response.location == "/counselor/"
    dashboard = client.get("/counselor/")
    assert dashboard.status_code == 200
    assert "Your password is set and you are signed in." in dashboard.get_data(as_text=True)
    assert stored_links(app) == []
    with app.app_context():
        assert find_user(db.session(), "carol").last_sign_in_on == today()
    assert login(app.test_client(), "carol", NEW_PASSWORD).status_code == 302

    second = choose(app.test_client(), url, "another long password")
    assert second.status_code == 410
    text = second.get_data(as_text=True)
    assert "This link is no longer open" in text
    assert "it has been used, a newer link has replaced it, or it has expired" in text
    assert login(app.test_client(), "carol", "another long password").status_code == 422
    assert app.test_client().get(url).status_code == 410


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        (NEW_PASSWORD, "my own long passwort", "The two passwords are not the same."),
        ("short", "short", "A password needs at least 8 characters."),
        ("password", "password", "on a list of common or breached passwords"),
        ("carol", "carol", "A password needs at least 8 characters."),
        ("", "", "Enter a password."),
    ],
)
def test_the_password_rules_apply_and_the_link_stays_open(app, staff, password, confirm, message):
    url = create(staff, "carol")
    response = choose(app.test_client(), url, password, confirm)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert len(stored_links(app)) == 1
    assert choose(app.test_client(), url).status_code == 303


def test_an_admin_needs_the_admin_length(app, staff):
    url = create(staff, "dana", role="admin")
    response = choose(app.test_client(), url, "eleven char")
    assert response.status_code == 422
    assert "An admin&#39;s password needs at least 12 characters." in response.get_data(
        as_text=True
    )
    client = app.test_client()
    assert choose(client, url, "a twelve+ character phrase").location == "/admin/"


def test_an_expired_link_is_refused(app, staff):
    url = create(staff, "carol")
    with app.app_context():
        session = db.session()
        session.execute(update(PasswordLink).values(expires_at=utc_now() - dt.timedelta(seconds=1)))
        session.commit()
    assert app.test_client().get(url).status_code == 410
    assert choose(app.test_client(), url).status_code == 410


def test_the_expiry_follows_the_setting(tmp_path, migrated_db):
    from tests.conftest import login as sign_in
    from tests.conftest import make_app

    app = make_app(tmp_path, migrated_db, SET_PASSWORD_HOURS=2)
    add_user(app, "root", "admin")
    root = app.test_client()
    sign_in(root, "root")
    before = utc_now()
    response = root.post("/admin/users", data={"username": "carol", "role": "counselor"})
    assert "It works once, for 2 hours" in response.get_data(as_text=True)
    (stored,) = stored_links(app)
    assert before + dt.timedelta(hours=2) <= stored.expires_at <= utc_now() + dt.timedelta(hours=2)


def test_an_unknown_token_is_refused(client):
    assert client.get("/account/set-password/" + "x" * 43).status_code == 410


def test_a_disabled_accounts_link_is_refused(app, staff):
    url = create(staff, "carol")
    staff["root"].post(f"/admin/users/{user_id(app, 'carol')}/active")
    assert choose(app.test_client(), url).status_code == 410


# --- a new link for an existing account ---------------------------------------------------


def test_a_reset_link_replaces_the_older_one_and_ends_sessions_when_used(app, staff):
    first = reset(app, staff, "anna")
    second = reset(app, staff, "anna")
    assert len(stored_links(app)) == 1
    assert choose(app.test_client(), first).status_code == 410
    assert login(app.test_client(), "anna").status_code == 302  # the old password until then
    assert staff["anna"].get("/counselor/").status_code == 200
    assert choose(app.test_client(), second).status_code == 303
    assert staff["anna"].get("/counselor/").status_code == 302
    assert login(app.test_client(), "anna").status_code == 422
    assert login(app.test_client(), "anna", NEW_PASSWORD).status_code == 302


def test_the_set_password_address_never_reaches_the_request_log(app, caplog):
    """Werkzeug's request lines go through the redacting filter (quizapp/logs.py)."""
    add_user(app, "anna")
    with app.app_context():
        from quizapp.storage.account_links import issue

        session = db.session()
        token = issue(session, find_user(session, "anna"), 1, utc_now()).token
        session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    caplog.set_level(logging.INFO, logger="werkzeug")
    try:
        url = f"http://127.0.0.1:{server.server_port}/account/set-password/{token}"
        assert urllib.request.urlopen(url).status == 200
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(url + "x")
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
    assert "/account/set-password/<redacted>" in caplog.text
    assert token not in caplog.text


# --- last sign-in ---------------------------------------------------------------------------


def test_the_accounts_page_shows_the_last_sign_in_day(app, staff):
    add_user(app, "dora")
    with app.app_context():
        session = db.session()
        session.execute(
            update(User).where(User.username == "ben").values(last_sign_in_on=dt.date(2026, 3, 4))
        )
        session.commit()
    page = staff["root"].get("/admin/users").get_data(as_text=True)
    rows = {
        name: re.search(rf"<td>{name}(?:(?!</tr>).)*</tr>", page, re.S).group(0)
        for name in ("anna", "ben", "dora")
    }
    assert today().strftime("%-d %b %Y") in rows["anna"].split("</td>")[4]
    assert "4 Mar 2026" in rows["ben"]
    assert "<td>Never</td>" in rows["dora"]


# --- roles ----------------------------------------------------------------------------------


def test_the_last_active_admin_cannot_become_a_counselor(app, staff):
    root = user_id(app, "root")
    response = staff["root"].post(
        f"/admin/users/{root}/role", data=CONFIRMED_DEMOTION, follow_redirects=True
    )
    assert (
        "You cannot make &#39;root&#39; a counselor: &#39;root&#39; is the only admin who can "
        "sign in. Make another account an admin first."
    ) in response.get_data(as_text=True)
    with app.app_context():
        assert find_user(db.session(), "root").role == "admin"
    assert staff["root"].get("/admin/").status_code == 200


def test_an_admin_can_step_down_when_another_admin_remains(app, staff):
    add_user(app, "zoe", "admin")
    root = user_id(app, "root")
    response = staff["root"].post(f"/admin/users/{root}/role", data=CONFIRMED_DEMOTION)
    assert response.status_code == 303
    assert response.location == "/counselor/"
    assert staff["root"].get("/admin/").status_code == 403
    with app.app_context():
        assert find_user(db.session(), "root").role == "counselor"


def test_a_counselor_made_admin_chooses_an_admin_length_password(app, staff):
    anna = user_id(app, "anna")
    data = {"role": "admin", "confirm": "yes"}
    response = staff["root"].post(f"/admin/users/{anna}/role", data=data)
    assert "&#39;anna&#39; is now an admin." in response.get_data(as_text=True)
    url = shown_link(response)
    assert staff["anna"].get("/counselor/").status_code == 302  # their sessions ended
    assert login(app.test_client(), "anna").status_code == 422  # the short password is gone
    assert choose(app.test_client(), url, "eight+chars").status_code == 422
    client = app.test_client()
    assert choose(client, url, "a twelve+ character phrase").location == "/admin/"
    assert client.get("/admin/users").status_code == 200


def test_a_role_outside_the_list_is_refused(app, staff):
    anna = user_id(app, "anna")
    assert (
        staff["root"]
        .post(f"/admin/users/{anna}/role", data={"role": "owner", "confirm": "yes"})
        .status_code
        == 400
    )


# --- removal --------------------------------------------------------------------------------


def owner_and_archived(app, link_id: int) -> tuple[str, bool]:
    with app.app_context():
        link = db.session().get(QuizLink, link_id)
        return link.owner.username, link.archived


def test_removal_asks_first_and_passes_links_on(app, staff):
    add_user(app, "zoe", "admin")
    link_id, _ = add_link(app, "anna")
    other_id, _ = add_link(app, "anna", label="Autumn cohort", archived=True)
    result_id = add_result(app, link_id)
    anna = user_id(app, "anna")

    ask = staff["root"].get(f"/admin/users/{anna}/remove")
    assert ask.status_code == 200
    page = ask.get_data(as_text=True)
    assert "It holds 2 quiz links, which another admin takes over." in page
    assert page.index(">root</option>") < page.index(">zoe</option>")  # you, first
    assert ">anna</option>" not in page
    with app.app_context():
        assert find_user(db.session(), "anna") is not None  # asking changes nothing

    zoe = user_id(app, "zoe")
    done = staff["root"].post(
        f"/admin/users/{anna}/remove",
        data={"links": "pass", "to": str(zoe), "confirm": "yes"},
        follow_redirects=True,
    )
    text = done.get_data(as_text=True)
    assert "Removed &#39;anna&#39;. 2 quiz links were passed to &#39;zoe&#39;" in text
    assert owner_and_archived(app, link_id) == ("zoe", False)
    assert owner_and_archived(app, other_id) == ("zoe", True)  # archived stays archived
    with app.app_context():
        session = db.session()
        assert find_user(session, "anna") is None
        assert session.get(Result, result_id).link_id == link_id
        assert session.scalars(select(StaffSession).where(StaffSession.user_id == anna)).all() == []
    assert staff["anna"].get("/counselor/").status_code == 302
    assert login(app.test_client(), "anna").status_code == 422


def test_removal_can_archive_the_links_under_the_acting_admin(app, staff):
    link_id, code = add_link(app, "anna")
    add_result(app, link_id)
    ben = user_id(app, "ben")
    anna = user_id(app, "anna")
    response = staff["root"].post(
        f"/admin/users/{anna}/remove",
        data={"links": "archive", "to": str(user_id(app, "root")), "confirm": "yes"},
    )
    assert response.status_code == 303
    assert owner_and_archived(app, link_id) == ("root", True)
    assert app.test_client().get(f"/q/{code}").status_code == 410  # takes no more responses
    with app.app_context():
        assert db.session().scalars(select(Result)).one().link_id == link_id
    # An account without links needs no choice.
    response = staff["root"].post(
        f"/admin/users/{ben}/remove", data={"confirm": "yes"}, follow_redirects=True
    )
    assert "Removed &#39;ben&#39;; they held no quiz links." in response.get_data(as_text=True)


def test_links_cannot_pass_to_a_counselor(app, staff):
    add_link(app, "anna")
    anna, ben = user_id(app, "anna"), user_id(app, "ben")
    response = staff["root"].post(
        f"/admin/users/{anna}/remove", data={"links": "pass", "to": str(ben), "confirm": "yes"}
    )
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    with app.app_context():
        assert find_user(db.session(), "anna") is not None


def test_the_last_active_admin_cannot_remove_themself(app, staff):
    root = user_id(app, "root")
    page = staff["root"].get(f"/admin/users/{root}/remove").get_data(as_text=True)
    assert "&#39;root&#39; is the only admin who can sign in" in page
    assert "<button" not in page.split('id="remove-title"', 1)[1]
    data = {"links": "pass", "confirm": "yes"}
    response = staff["root"].post(f"/admin/users/{root}/remove", data=data)
    assert response.status_code == 422
    with app.app_context():
        assert find_user(db.session(), "root") is not None
    assert staff["root"].get("/admin/").status_code == 200


def test_an_admin_may_remove_themself_when_another_admin_remains(app, staff):
    add_user(app, "zoe", "admin")
    link_id, _ = add_link(app, "root")
    root, zoe = user_id(app, "root"), user_id(app, "zoe")
    response = staff["root"].post(
        f"/admin/users/{root}/remove", data={"links": "pass", "to": str(zoe), "confirm": "yes"}
    )
    assert response.status_code == 303
    assert response.location == "/login"
    assert owner_and_archived(app, link_id) == ("zoe", False)
    assert staff["root"].get("/admin/").status_code == 302


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/admin/users/{anna}/password"),
        ("GET", "/admin/users/{anna}/role?to=admin"),
        ("POST", "/admin/users/{anna}/role"),
        ("GET", "/admin/users/{anna}/remove"),
        ("POST", "/admin/users/{anna}/remove"),
    ],
)
def test_only_admins_manage_accounts(app, staff, method, path):
    url = path.format(anna=user_id(app, "anna"))
    data = {"role": "admin", "confirm": "yes"}
    assert staff["ben"].open(url, method=method, data=data).status_code == 403
    anonymous = app.test_client().open(url, method=method, data=data)
    assert anonymous.status_code == 302 and anonymous.location.startswith("/login")
    with app.app_context():
        assert find_user(db.session(), "anna").role == "counselor"
