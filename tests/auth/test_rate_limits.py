"""Rate limits on signing in and on submitting questionnaires."""

import pytest

from tests.conftest import add_user, login, make_app, mini_answers


@pytest.fixture
def app(tmp_path, migrated_db):
    return make_app(
        tmp_path,
        migrated_db,
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="3 per minute",
        SUBMIT_RATE_LIMIT="2 per minute",
    )


def test_too_many_sign_in_attempts_are_slowed_down(app, client):
    add_user(app, "anna")
    for _ in range(3):
        assert login(client, "anna", "wrong password").status_code == 422
    blocked = login(client, "anna")  # even the right password waits
    assert blocked.status_code == 429
    assert "Please wait a minute and try again." in blocked.get_data(as_text=True)
    assert client.get("/login").status_code == 200  # reading the page is not limited


def test_too_many_submissions_are_refused_and_not_stored(client, count_results):
    for _ in range(2):
        assert client.post("/quiz", data=mini_answers()).status_code == 303
    assert client.post("/quiz", data=mini_answers()).status_code == 429
    assert count_results() == 2
