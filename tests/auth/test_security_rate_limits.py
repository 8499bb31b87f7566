"""Sign-in limits per account as well as per address, and the switch that turns limits off."""

import logging

import pytest

from quizapp import create_app
from quizapp.config import ConfigError, from_environment
from tests.conftest import MINI_RUBRICS, add_user, from_address, login, make_app

WRONG = "not the password at all"


@pytest.fixture
def app(tmp_path, migrated_db):
    return make_app(
        tmp_path,
        migrated_db,
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="100 per minute",  # out of the way: the account's limit is under test
        LOGIN_ACCOUNT_RATE_LIMIT="3 per hour",
    )


def test_one_account_cannot_be_tried_from_many_addresses(app):
    add_user(app, "anna")
    for number in range(3):
        assert login(from_address(app, number), "anna", WRONG).status_code == 422
    blocked = login(from_address(app, 50), "anna")  # a new address, even the right password
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)


def test_the_account_is_the_same_however_its_name_is_typed(app):
    add_user(app, "anna")
    for number, typed in enumerate(("anna", " ANNA ", "Anna")):
        assert login(from_address(app, number), typed, WRONG).status_code == 422
    assert (
        login(from_address(app, 9), "\uff41\uff4e\uff4e\uff41").status_code == 429
    )  # full-width letters too


def test_other_accounts_behind_the_same_address_still_sign_in(app):
    add_user(app, "anna")
    add_user(app, "ben")
    client = from_address(app, 1)
    for _ in range(3):
        login(client, "anna", WRONG)
    assert login(client, "anna").status_code == 429
    assert login(from_address(app, 1), "ben").status_code == 302


def test_signing_in_again_from_the_same_browser_does_not_use_up_the_account_limit(app):
    add_user(app, "anna")
    browser = from_address(app, 1)
    for number in range(6):
        browser.environ_base["REMOTE_ADDR"] = f"198.51.100.{number}"  # a laptop on the move
        assert login(browser, "anna").status_code == 302
        assert browser.post("/logout").status_code == 302


def test_every_attempt_from_new_browsers_counts_before_the_password_is_checked(app):
    add_user(app, "anna")
    for number in range(3):
        assert login(from_address(app, number), "anna").status_code == 302
    assert login(from_address(app, 9), "anna").status_code == 429


def test_an_empty_username_is_not_counted_as_an_account(app):
    for number in range(5):
        assert login(from_address(app, number), "", WRONG).status_code == 422


def test_the_limiter_log_does_not_name_the_account(app, caplog):
    caplog.set_level(logging.DEBUG, logger="flask-limiter")
    for number in range(4):
        login(from_address(app, number), "margaret", "hunter2 typed in the wrong box")
    assert "exceeded" in caplog.text
    assert "margaret" not in caplog.text


def test_the_address_limit_still_applies(tmp_path, migrated_db):
    app = make_app(
        tmp_path,
        migrated_db,
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="3 per minute",
        LOGIN_ACCOUNT_RATE_LIMIT="100 per hour",
    )
    client = from_address(app, 1)
    for name in ("anna", "ben", "carol"):
        assert login(client, name, WRONG).status_code == 422
    assert login(client, "dan", WRONG).status_code == 429


# --- QUIZAPP_RATELIMIT_ENABLED ----------------------------------------------------------------


def test_the_switch_is_read_from_the_environment():
    assert from_environment({"QUIZAPP_RATELIMIT_ENABLED": "false"}) == {"RATELIMIT_ENABLED": False}
    assert from_environment({"QUIZAPP_RATELIMIT_ENABLED": "TRUE"}) == {"RATELIMIT_ENABLED": True}
    with pytest.raises(ConfigError, match="QUIZAPP_RATELIMIT_ENABLED must be true or false"):
        from_environment({"QUIZAPP_RATELIMIT_ENABLED": "sometimes"})


def app_from_environment(tmp_path, migrated_db, monkeypatch, **environ):
    """An app whose limits come from QUIZAPP_ variables alone, as in a deployment."""
    database = make_app(tmp_path, migrated_db).config["DATABASE_URL"]  # a fresh migrated copy
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("QUIZAPP_LOGIN_RATE_LIMIT", "1 per minute")
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database,
            "RUBRICS_DIR": str(MINI_RUBRICS),
            "DEFAULT_RUBRIC": "mini",
            "WTF_CSRF_ENABLED": False,
        }
    )


@pytest.mark.parametrize(("switch", "codes"), [("false", [422] * 3), ("true", [422, 429, 429])])
def test_the_switch_turns_limits_off(tmp_path, migrated_db, monkeypatch, switch, codes):
    app = app_from_environment(tmp_path, migrated_db, monkeypatch, QUIZAPP_RATELIMIT_ENABLED=switch)
    client = app.test_client()
    assert [login(client, "nobody", WRONG).status_code for _ in range(3)] == codes


def test_limits_are_on_unless_switched_off(tmp_path, migrated_db, monkeypatch):
    for folder in ("off", "default"):
        (tmp_path / folder).mkdir()
    make_app(tmp_path / "off", migrated_db)  # an earlier app with limits off must not leak
    app = app_from_environment(tmp_path / "default", migrated_db, monkeypatch)
    client = app.test_client()
    assert [login(client, "nobody", WRONG).status_code for _ in range(2)] == [422, 429]
