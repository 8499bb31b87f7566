"""The users commands, through Flask's CLI runner."""

import re

import pytest
from sqlalchemy import select

from quizapp.storage import db
from quizapp.storage.account_links import token_hash
from quizapp.storage.models import PasswordLink, QuizLink, Result, StaffSession, today
from quizapp.storage.users import authenticate, find_user
from tests.conftest import PASSWORD, add_link, add_result, add_user, login


def invoke(runner, *args, input=None):
    return runner.invoke(args=list(args), input=input)


def test_create_with_password_from_stdin(app, runner):
    result = invoke(
        runner,
        "users",
        "create",
        " Dana ",
        "--role",
        "admin",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin 'dana'." in result.output
    with app.app_context():
        user = authenticate(db.session(), "dana", PASSWORD)
        assert user is not None and user.role == "admin"


def test_create_prompts_twice_without_echo(app, runner):
    result = invoke(
        runner,
        "users",
        "create",
        "eve",
        "--role",
        "counselor",
        "--password-prompt",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert "Repeat for confirmation" in result.output


def test_create_refuses_short_passwords_duplicates_and_bad_roles(app, runner):
    short = invoke(
        runner, "users", "create", "eve", "--role", "counselor", "--password-stdin", input="short\n"
    )
    assert short.exit_code == 1
    assert "A password needs at least 8 characters." in short.output
    add_user(app, "eve")
    dup = invoke(
        runner,
        "users",
        "create",
        "EVE",
        "--role",
        "counselor",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert dup.exit_code == 1 and "There is already a user called 'eve'." in dup.output
    role = invoke(
        runner,
        "users",
        "create",
        "fay",
        "--role",
        "owner",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert role.exit_code == 2


def test_list(app, runner):
    add_user(app, "anna")
    add_user(app, "root", "admin")
    login(app.test_client(), "anna")
    lines = invoke(runner, "users", "list").output.splitlines()
    assert lines[0].split()[:3] == ["root", "admin", "active"]
    assert lines[0].endswith("last sign-in never")
    assert lines[1].split()[:3] == ["anna", "counselor", "active"]
    assert lines[1].endswith(f"last sign-in {today()}")


def test_disable_ends_open_sessions(app, runner):
    add_user(app, "anna")
    client = app.test_client()
    login(client, "anna")
    assert client.get("/counselor/").status_code == 200
    result = invoke(runner, "users", "disable", "anna")
    assert result.exit_code == 0 and "its open sessions have ended" in result.output
    assert client.get("/counselor/").status_code == 302
    assert login(client, "anna").status_code == 422
    assert invoke(runner, "users", "enable", "anna").exit_code == 0
    assert login(client, "anna").status_code == 302


def test_set_password(app, runner):
    add_user(app, "anna")
    client = app.test_client()
    login(client, "anna")
    result = invoke(
        runner, "users", "set-password", "anna", "--password-stdin", input="a new long password\n"
    )
    assert result.exit_code == 0, result.output
    assert client.get("/counselor/").status_code == 302  # old session ended
    assert login(client, "anna", "a new long password").status_code == 302
    with app.app_context():
        assert find_user(db.session(), "anna") is not None


def test_unknown_user(runner):
    result = invoke(runner, "users", "disable", "ghost")
    assert result.exit_code == 1
    assert "There is no user called 'ghost'." in result.output


def test_admin_hint_until_an_admin_exists(app, runner):
    assert "users create YOUR-NAME --role admin" in invoke(runner, "users", "admin-hint").output
    add_user(app, "root", "admin")
    assert invoke(runner, "users", "admin-hint").output == ""


# --- set-password links, roles and removal -------------------------------------------------

LINK = re.compile(r"^  (\S*/account/set-password/([A-Za-z0-9_-]+))$", re.MULTILINE)


def printed_link(output: str) -> tuple[str, str]:
    """The (address, token) of the set-password link a command printed."""
    found = LINK.search(output)
    assert found, output
    return found.group(1), found.group(2)


def set_password_through(app, token: str, password: str = "my own long password"):
    client = app.test_client()
    data = {"password": password, "confirm": password}
    return client, client.post(f"/account/set-password/{token}", data=data)


def test_create_without_a_password_prints_a_one_time_link(app, runner):
    result = invoke(runner, "users", "create", "Carol", "--role", "counselor")
    assert result.exit_code == 0, result.output
    assert "Created counselor 'carol'." in result.output
    assert "it works once, for 72 hours" in result.output
    url, token = printed_link(result.output)
    assert url == f"/account/set-password/{token}"  # no base URL configured: only the path
    with app.app_context():
        stored = db.session().scalars(select(PasswordLink)).one()
        assert stored.token_hash == token_hash(token) != token
    assert login(app.test_client(), "carol", "").status_code == 422  # no password yet
    _, response = set_password_through(app, token)
    assert response.status_code == 303
    assert login(app.test_client(), "carol", "my own long password").status_code == 302
    assert set_password_through(app, token, "yet another password")[1].status_code == 410


def test_links_use_the_base_url_option_or_setting(tmp_path, migrated_db):
    from tests.conftest import make_app

    app = make_app(tmp_path, migrated_db, BASE_URL="https://quiz.example.org/")
    runner = app.test_cli_runner()
    result = invoke(runner, "users", "create", "carol", "--role", "counselor")
    assert printed_link(result.output)[0].startswith(
        "https://quiz.example.org/account/set-password/"
    )
    result = invoke(runner, "users", "reset", "carol", "--base-url", "http://127.0.0.1:5000")
    assert printed_link(result.output)[0].startswith("http://127.0.0.1:5000/account/set-password/")


def test_reset_prints_a_new_link_that_replaces_the_old(app, runner):
    add_user(app, "anna")
    client = app.test_client()
    login(client, "anna")
    _, first = printed_link(invoke(runner, "users", "reset", "anna").output)
    _, second = printed_link(invoke(runner, "users", "reset", "ANNA").output)
    assert set_password_through(app, first)[1].status_code == 410
    assert client.get("/counselor/").status_code == 200  # the old password still works so far
    assert set_password_through(app, second)[1].status_code == 303
    assert client.get("/counselor/").status_code == 302  # setting it ended other sessions
    assert login(app.test_client(), "anna").status_code == 422


def test_role_changes_and_the_last_admin_stays(app, runner):
    add_user(app, "root", "admin")
    add_user(app, "anna")
    alone = invoke(runner, "users", "role", "root", "counselor")
    assert alone.exit_code == 1
    assert "'root' is the only admin who can sign in" in alone.output
    promoted = invoke(runner, "users", "role", "anna", "admin")
    assert promoted.exit_code == 0, promoted.output
    assert "'anna' is now an admin and keeps their password" in promoted.output
    demoted = invoke(runner, "users", "role", "root", "counselor")
    assert demoted.exit_code == 0, demoted.output
    with app.app_context():
        session = db.session()
        assert find_user(session, "root").role == "counselor"
        assert find_user(session, "anna").role == "admin"
    assert invoke(runner, "users", "disable", "anna").exit_code == 1  # the last admin again


def test_promotion_keeps_the_password_and_sessions_and_says_how_to_change_it(app, runner):
    add_user(app, "root", "admin")
    add_user(app, "anna")
    client = app.test_client()
    login(client, "anna")
    promoted = invoke(runner, "users", "role", "anna", "admin")
    assert promoted.exit_code == 0, promoted.output
    assert promoted.output == (
        "'anna' is now an admin and keeps their password and open sessions.\n"
        "An admin's password needs at least 12 characters, and theirs may be shorter. To give "
        "them a new one:\n"
        "  .venv/bin/flask --app quizapp users set-password anna\n"
        "or, for a set-password link to send them:\n"
        "  .venv/bin/flask --app quizapp users reset anna\n"
    )
    assert not LINK.search(promoted.output)
    with app.app_context():
        assert db.session().scalars(select(PasswordLink)).all() == []
    assert client.get("/admin/users").status_code == 200  # the same session, now an admin's
    assert login(app.test_client(), "anna").status_code == 302


LAST_ONE = (
    "'root' is the only admin who can sign in; 'zoe' has no password yet. "
    "Another admin must be able to sign in first."
)


@pytest.mark.parametrize(
    ("command", "action"),
    [
        (("role", "root", "counselor"), "make 'root' a counselor"),
        (("disable", "root"), "disable 'root'"),
        (("remove", "root"), "remove 'root'"),
    ],
)
def test_the_only_admin_who_can_sign_in_stays(app, runner, command, action):
    add_user(app, "root", "admin")
    add_user(app, "zoe", "admin", password=None)  # created; the set-password link not yet used
    refused = invoke(runner, "users", *command)
    assert refused.exit_code == 1
    assert refused.output == f"Error: You cannot {action}: {LAST_ONE}\n"
    with app.app_context():
        root = find_user(db.session(), "root")
        assert (root.role, root.active) == ("admin", True)
    assert login(app.test_client(), "root").status_code == 302


def test_an_admin_locked_out_is_let_back_in_from_the_command_line(app, runner):
    """The state the review found (root made a counselor while zoe had no password yet) is
    mended by promoting root again, who signs in with the password they had."""
    add_user(app, "root", "admin")
    add_user(app, "zoe", "admin", password=None)
    with app.app_context():
        session = db.session()
        find_user(session, "root").role = "counselor"
        session.commit()
    assert invoke(runner, "users", "role", "root", "admin").exit_code == 0
    client = app.test_client()
    assert login(client, "root").status_code == 302
    assert client.get("/admin/users").status_code == 200


def test_remove_passes_links_to_an_admin_and_keeps_results(app, runner):
    add_user(app, "root", "admin")
    add_user(app, "anna")
    link_id, _ = add_link(app, "anna")
    result_id = add_result(app, link_id)
    client = app.test_client()
    login(client, "anna")
    refused = invoke(runner, "users", "remove", "anna")
    assert refused.exit_code == 1
    assert "give --links-to ADMIN or --archive-links" in refused.output
    removed = invoke(runner, "users", "remove", "anna", "--links-to", "root")
    assert removed.exit_code == 0, removed.output
    assert (
        "Removed 'anna'. 1 quiz link was passed to 'root'; every result is kept." in removed.output
    )
    with app.app_context():
        session = db.session()
        assert find_user(session, "anna") is None
        link = session.get(QuizLink, link_id)
        assert (link.owner.username, link.archived) == ("root", False)
        assert session.get(Result, result_id).link_id == link_id
        assert session.scalars(select(StaffSession)).all() == []
    assert client.get("/counselor/").status_code == 302


def test_remove_can_archive_the_links(app, runner):
    add_user(app, "root", "admin")
    add_user(app, "anna")
    link_id, _ = add_link(app, "anna")
    removed = invoke(runner, "users", "remove", "anna", "--archive-links")
    assert removed.exit_code == 0, removed.output
    assert "1 quiz link was archived and passed to 'root'" in removed.output
    with app.app_context():
        link = db.session().get(QuizLink, link_id)
        assert (link.owner.username, link.archived) == ("root", True)
    assert invoke(runner, "users", "remove", "root").exit_code == 1  # the last admin
