"""Sign-in limits slow guessing without handing anyone a lock-out button: wrong passwords from
anywhere else never block a browser the owner has signed in with before, every attempt is counted
before its password is checked (60 at once cannot overshoot), and the answer says when to retry."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from quizapp.auth import devices
from tests.conftest import add_user, from_address, login, make_app

WRONG = "not the password at all"


@pytest.fixture
def app(tmp_path, migrated_db):
    return make_app(
        tmp_path,
        migrated_db,
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="1000 per minute",  # out of the way: the account's limits are under test
        LOGIN_ACCOUNT_RATE_LIMIT="20 per hour",
        LOGIN_DEVICE_RATE_LIMIT="10 per hour",
    )


def test_twenty_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out(app):
    """The review's lock-out: 20 wrong passwords from 20 addresses, then the owner signs in."""
    add_user(app, "root", "admin")
    owner = from_address(app, 200)
    assert login(owner, "root").status_code == 302  # the owner's usual browser
    assert owner.post("/logout").status_code == 302
    codes = [login(from_address(app, number), "root", WRONG).status_code for number in range(25)]
    assert codes == [422] * 19 + [429] * 6  # the owner's first sign-in here counted too
    assert login(owner, "root").status_code == 302  # not blocked
    stranger = login(from_address(app, 99), "root")  # the right password, from a browser never used
    assert stranger.status_code == 429
    text = stranger.get_data(as_text=True)
    assert "A browser you have signed in with before still works." in text
    assert "Please try again in about 60 minutes." in text, text[text.index("<h1>") :][:600]
    assert 3500 <= int(stranger.headers["Retry-After"]) <= 3601


def test_the_owners_browser_has_a_limit_of_its_own(app):
    add_user(app, "anna")
    owner = from_address(app, 1)
    assert login(owner, "anna").status_code == 302
    owner.post("/logout")
    for _ in range(10):
        assert login(owner, "anna", WRONG).status_code == 422
    refused = login(owner, "anna")
    assert refused.status_code == 429
    assert "too many sign-in attempts to this account from this browser" in refused.get_data(
        as_text=True
    )
    assert login(from_address(app, 2), "anna").status_code == 302  # and the account is not locked


def test_a_device_cookie_is_signed_and_names_no_account(app):
    add_user(app, "anna")
    owner = from_address(app, 1)
    login(owner, "anna")
    cookie = owner.get_cookie(devices.COOKIE, path="/login")
    assert cookie is not None and cookie.http_only and cookie.path == "/login"
    assert "anna" not in cookie.value
    forged = from_address(app, 3)
    forged.set_cookie(devices.COOKIE, cookie.value[:-2] + "xx", path="/login")
    for number in range(20):
        login(from_address(app, 10 + number), "anna", WRONG)
    assert login(forged, "anna").status_code == 429  # a tampered cookie earns no trust
    copied = from_address(app, 4)
    copied.set_cookie(devices.COOKIE, cookie.value, path="/login")
    with app.test_request_context():
        assert devices.account_digest("anna") not in cookie.value  # only inside the signed data
    assert login(copied, "ben").status_code == 422  # trust is per account: ben was never here


def test_sixty_simultaneous_wrong_passwords_check_at_most_twenty(app, monkeypatch):
    """Counted before the check: attempts in flight together cannot slip past the limit."""
    add_user(app, "root", "admin")
    checked = []
    lock = threading.Lock()
    real = __import__("quizapp.storage.users", fromlist=["x"]).check_password_hash

    def slow_check(stored, password):
        with lock:
            checked.append(password)
        time.sleep(0.05)  # a real scrypt check takes about 100 ms: attempts overlap
        return real(stored, password)

    monkeypatch.setattr("quizapp.storage.users.check_password_hash", slow_check)
    barrier = threading.Barrier(60)

    def attempt(number):
        client = from_address(app, number)
        barrier.wait()
        return login(client, "root", WRONG).status_code

    with ThreadPoolExecutor(max_workers=60) as pool:
        codes = list(pool.map(attempt, range(60)))
    assert codes.count(422) == len(checked) <= 20
    assert codes.count(429) == 60 - codes.count(422) >= 40
