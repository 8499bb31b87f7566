"""Signing in and out: passwords, disabled accounts, open redirects, and replayed cookies."""

import pytest

from quizapp.storage import db
from quizapp.storage.users import UserError, create_user, find_user, set_active
from tests.conftest import PASSWORD, add_user, login


@pytest.fixture
def anna(app):
    return add_user(app, "anna")


def test_right_password_signs_in_and_lands_on_the_dashboard(client, anna):
    response = login(client, "anna")
    assert response.status_code == 302
    assert response.location == "/counselor/"
    assert "Quiz links" in client.get("/counselor/").get_data(as_text=True)


def test_username_is_matched_without_case_or_spaces(client, anna):
    assert login(client, "  ANNA ").status_code == 302


def test_wrong_password_is_refused(client, anna):
    response = login(client, "anna", "wrong password")
    assert response.status_code == 422
    assert "do not match an active account" in response.get_data(as_text=True)
    assert client.get("/counselor/").status_code == 302  # still signed out


def test_unknown_user_gets_the_same_message(client):
    response = login(client, "nobody")
    assert response.status_code == 422
    assert "do not match an active account" in response.get_data(as_text=True)


def test_disabled_account_cannot_sign_in_and_its_sessions_end(app, client, anna):
    assert login(client, "anna").status_code == 302
    with app.app_context():
        session = db.session()
        set_active(session, find_user(session, "anna"), False)
        session.commit()
    assert client.get("/counselor/").status_code == 302  # the open session has ended
    assert login(client, "anna").status_code == 422


@pytest.mark.parametrize(
    "target",
    [
        "//elsewhere.example",
        "https://elsewhere.example/",
        "/\\elsewhere.example",
        "javascript:alert(1)",
    ],
)
def test_next_never_leads_off_site(client, anna, target):
    response = login(client, "anna", next_url=target)
    assert response.status_code == 302
    assert response.location == "/counselor/"


def test_next_leads_to_a_page_of_this_site(client, anna):
    assert login(client, "anna", next_url="/counselor/links/new").location == "/counselor/links/new"


def test_anonymous_visitor_is_sent_to_login_with_next(client):
    response = client.get("/counselor/links/new")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_logout_ends_the_session_even_if_the_old_cookie_is_replayed(app, client, anna):
    login(client, "anna")
    old_cookie = client.get_cookie("session").value
    assert client.post("/logout").status_code == 302
    assert client.get("/counselor/").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", old_cookie)
    assert replay.get("/counselor/").status_code == 302


def test_session_is_renewed_at_login(client, anna):
    with client.session_transaction() as session:
        session["planted"] = "from before sign-in"
    login(client, "anna")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_look_alike_usernames_cannot_be_created(app):
    with app.app_context():
        session = db.session()
        create_user(session, "Alice", PASSWORD, "counselor")
        session.commit()
        with pytest.raises(UserError, match="already a user called 'alice'"):
            create_user(session, "  ALICE ", PASSWORD, "counselor")


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("vq7-mzr", False),
        ("vq7-mzr2", True),
        (("river otter moss " * 4)[:64], True),
        ("v" + "q7-mzr2" * 19, False),  # 134 characters
    ],
)
def test_password_length(app, password, ok):
    with app.app_context():
        session = db.session()
        if ok:
            user = create_user(session, "carol", password, "counselor")
            assert user.password_hash.startswith("scrypt:")
            assert password not in user.password_hash
        else:
            with pytest.raises(UserError):
                create_user(session, "carol", password, "counselor")
