"""Staff passwords per NIST SP 800-63B: length by role, no composition rules, no known passwords."""

import pytest

from quizapp.storage import db
from quizapp.storage.users import (
    UserError,
    authenticate,
    check_password,
    common_passwords,
    find_user,
)
from tests.conftest import PASSWORD, add_user, login

COMMON = "This password is on a list of common or breached passwords; choose another."
SPACES = "A password cannot be only spaces."
REPEATED = "A password cannot be one character repeated."
ADMIN_SHORT = "An admin's password needs at least 12 characters."
GOOD_ADMIN = "violet-canoe"  # 12 characters, lower case only, not on the list

REFUSED = [
    ("password", "counselor", COMMON),
    ("Password", "counselor", COMMON),  # the list is compared without case
    ("12345678", "counselor", COMMON),
    ("qwertyuiop12", "admin", COMMON),
    (" " * 8, "counselor", SPACES),
    ("\t \u00a0 \t  \u3000", "counselor", SPACES),
    ("a" * 12, "admin", REPEATED),
    ("a" * 12, "counselor", REPEATED),
    ("vq7-mzr2", "admin", ADMIN_SHORT),
    ("vq7-mzr", "counselor", "A password needs at least 8 characters."),
    ("x" * 64 + "y" * 65, "admin", "A password can be at most 128 characters."),
]


@pytest.mark.parametrize(("password", "role", "message"), REFUSED)
def test_refused_passwords_say_why(password, role, message):
    with pytest.raises(UserError) as caught:
        check_password(password, role)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("password", "role"),
    [
        (GOOD_ADMIN, "admin"),
        ("vq7-mzr2", "counselor"),  # a counselor's floor stays at 8
        ("all lower case words", "admin"),  # no composition rules
        ("x" * 64 + "y" * 64, "admin"),  # 128 characters
        ("ünïcödé-pässwörd", "admin"),
    ],
)
def test_accepted_passwords(password, role):
    assert check_password(password, role) == password


def test_the_password_cannot_be_the_username():
    with pytest.raises(UserError, match="cannot be the username"):
        check_password("Margaret-Hamilton", "admin", "margaret-hamilton")


def test_the_list_is_zxcvbn_s_thirty_thousand():
    passwords = common_passwords()
    assert len(passwords) == 30_000
    assert {"password", "12345678", "iloveyou", "trustno1"} <= passwords


def test_the_shared_test_passwords_pass_the_admin_rules():
    assert check_password(PASSWORD, "admin") == PASSWORD


# --- the command line -----------------------------------------------------------------------


def create(runner, name: str, role: str, password: str):
    return runner.invoke(
        args=["users", "create", name, "--role", role, "--password-stdin"], input=password + "\n"
    )


@pytest.mark.parametrize(("password", "role", "message"), REFUSED)
def test_cli_create_refuses_weak_passwords(app, runner, password, role, message):
    result = create(runner, "dana", role, password)
    assert result.exit_code == 1
    assert f"Error: {message}" in result.output
    with app.app_context():
        assert find_user(db.session(), "dana") is None


def test_cli_create_takes_a_good_admin_password(app, runner):
    result = create(runner, "dana", "admin", GOOD_ADMIN)
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert authenticate(db.session(), "dana", GOOD_ADMIN) is not None


def test_cli_set_password_refuses_and_keeps_the_old_one(app, runner):
    add_user(app, "root", "admin")
    client = app.test_client()
    assert login(client, "root").status_code == 302
    for weak in ("aaaaaaaaaaaa", "password", "vq7-mzr2"):
        result = runner.invoke(
            args=["users", "set-password", "root", "--password-stdin"], input=weak + "\n"
        )
        assert result.exit_code == 1, weak
    assert client.get("/admin/").status_code == 200  # nothing changed: the session is still open
    assert login(app.test_client(), "root").status_code == 302


# --- the set-password page (reached through a link from the accounts page) -----------------


def link_path(client, made) -> str:
    """The set-password path on the page that answers the admin's post that made it."""
    page = made.get_data(as_text=True)
    return page.split('value="http://localhost', 1)[1].split('"', 1)[0]


def new_account_link(staff, username: str, role: str) -> str:
    made = staff["root"].post("/admin/users", data={"username": username, "role": role})
    return link_path(staff["root"], made)


def choose(app, path: str, password: str):
    return app.test_client().post(path, data={"password": password, "confirm": password})


@pytest.mark.parametrize(("password", "role", "message"), REFUSED)
def test_set_password_page_refuses_weak_passwords(app, staff, password, role, message):
    path = new_account_link(staff, "dana", role)
    response = choose(app, path, password)
    assert response.status_code == 422
    assert message.replace("'", "&#39;") in response.get_data(as_text=True)
    with app.app_context():
        assert find_user(db.session(), "dana").password_hash == ""


def test_set_password_page_takes_a_good_admin_password(app, staff):
    path = new_account_link(staff, "dana", "admin")
    assert choose(app, path, GOOD_ADMIN).status_code == 303
    assert login(app.test_client(), "dana", GOOD_ADMIN).status_code == 302


def test_the_pages_explain_the_rules(app, staff):
    page = staff["root"].get("/admin/users").get_data(as_text=True)
    assert "at least 8 characters for a counselor and 12 for an admin" in page
    admin_form = app.test_client().get(new_account_link(staff, "dana", "admin"))
    assert 'minlength="12"' in admin_form.get_data(as_text=True)
    counselor_form = app.test_client().get(new_account_link(staff, "eve", "counselor"))
    assert 'minlength="8"' in counselor_form.get_data(as_text=True)


def user_id(app, name: str) -> int:
    with app.app_context():
        return find_user(db.session(), name).id


def reset_link(app, staff, name: str) -> str:
    made = staff["root"].post(f"/admin/users/{user_id(app, name)}/password")
    return link_path(staff["root"], made)


@pytest.mark.parametrize(
    ("name", "weak", "message"),
    [
        ("root", "vq7-mzr2", ADMIN_SHORT),
        ("anna", "password", COMMON),
        ("anna", " " * 10, SPACES),
    ],
)
def test_password_reset_refuses_weak_passwords(app, staff, name, weak, message):
    response = choose(app, reset_link(app, staff, name), weak)
    assert response.status_code == 422
    assert message.replace("'", "&#39;") in response.get_data(as_text=True)
    assert login(app.test_client(), name).status_code == 302  # the old password still works
    assert staff[name].get("/counselor/").status_code == 200  # and its sessions go on


def test_password_reset_sets_a_good_admin_password(app, staff):
    add_user(app, "zoe", "admin")
    assert choose(app, reset_link(app, staff, "zoe"), GOOD_ADMIN).status_code == 303
    assert login(app.test_client(), "zoe", GOOD_ADMIN).status_code == 302
