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
    text = blocked.get_data(as_text=True)
    assert "too many sign-in attempts from your network" in text
    assert "Please try again in a minute." in text
    assert 1 <= int(blocked.headers["Retry-After"]) <= 61
    assert client.get("/login").status_code == 200  # reading the page is not limited


def test_too_many_submissions_are_refused_and_not_stored(client, count_results):
    for _ in range(2):
        assert client.post("/quiz", data=mini_answers()).status_code == 303
    assert client.post("/quiz", data=mini_answers()).status_code == 429
    assert count_results() == 2


def test_each_questionnaire_address_keeps_its_own_count(client, count_results):
    """The limit is set once on the quiz blueprint: every post through it is counted, per address
    and route, and pages that are only read are not."""
    for _ in range(2):
        assert client.post("/quiz", data=mini_answers()).status_code == 303
    assert client.post("/quiz", data=mini_answers()).status_code == 429
    assert client.get("/quiz").status_code == 200
    assert client.post("/quiz/mini", data=mini_answers()).status_code == 303  # its own count
    assert count_results() == 3


def test_workers_share_counters_through_redis(tmp_path, migrated_db):
    """Two app instances (two gunicorn workers, or two machines) count against one limit."""
    import os
    import secrets

    import redis

    url = os.environ.get("QUIZAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {url}: {exc}")
        pytest.skip(f"Redis is not reachable at {url}")
    config = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": url,
        "RATELIMIT_KEY_PREFIX": f"test-{secrets.token_hex(4)}",
        "LOGIN_RATE_LIMIT": "3 per minute",
    }
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = make_app(tmp_path / "a", migrated_db, **config)
    second = make_app(tmp_path / "b", migrated_db, **config)
    codes = [
        login(app.test_client(), "nobody").status_code for app in (first, second, first, second)
    ]
    assert codes == [422, 422, 422, 429]
    client = redis.Redis.from_url(url)
    keys = client.keys(f"*{config['RATELIMIT_KEY_PREFIX']}*")
    assert keys  # the counters really are in Redis, not in either process
    client.delete(*keys)
