"""The users commands, through Flask's CLI runner."""

from quizapp import db
from quizapp.users import authenticate, find_user
from tests.conftest import PASSWORD, add_user, login


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
        runner, "users", "create", "eve", "--role", "counselor", input=f"{PASSWORD}\n{PASSWORD}\n"
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
    lines = invoke(runner, "users", "list").output.splitlines()
    assert lines[0].split()[:3] == ["root", "admin", "active"]
    assert lines[1].split()[:3] == ["anna", "counselor", "active"]


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
