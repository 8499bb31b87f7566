"""Submission keys are made by the server, for the browser that was shown the page, for a while:
a key someone made up, or another browser's key, opens nothing and stores nothing, and an old
copy of a page that was sent says so without leading to the result."""

import re
import types

import pytest
from sqlalchemy import func, select

from quizapp.quiz import keys
from quizapp.storage import db
from quizapp.storage.models import Result
from tests.conftest import make_app, mini_answers

KEY = re.compile(r'name="submission_key" type="hidden" value="([^"]+)"')
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def page(client, path="/quiz"):
    """The (submission key, CSRF token) of a questionnaire page shown to this client."""
    text = client.get(path).get_data(as_text=True)
    return KEY.search(text).group(1), CSRF.search(text).group(1)


def stored(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Result))


@pytest.fixture
def app(tmp_path, migrated_db):
    """CSRF protection on, as deployed: the attacks below must get past it like anyone."""
    return make_app(tmp_path, migrated_db, WTF_CSRF_ENABLED=True)


def send(client, key, csrf, **answers):
    data = {**mini_answers(**answers), "submission_key": key, "csrf_token": csrf}
    return client.post("/quiz", data=data)


def later(monkeypatch, minutes: float) -> None:
    """Move the clock the keys are checked against ``minutes`` ahead."""
    import time

    ahead = time.time() + 60 * minutes
    monkeypatch.setattr("quizapp.quiz.forms.time", types.SimpleNamespace(time=lambda: ahead))


def test_a_key_the_client_made_up_is_refused_and_stores_nothing(app):
    client = app.test_client()
    _, csrf = page(client)
    for made_up in ("A" * 22 + ".1765000000." + "A" * 22, "AAAAAAAAAAAAAAAAAAAAAA"):
        response = send(client, made_up, csrf)
        assert response.status_code == 400
        assert "not one this site made for this browser" in response.get_data(as_text=True)
    assert stored(app) == 0


def test_a_key_signed_for_another_browser_is_refused(app):
    """The review's replay: a key read off someone's page, posted from a fresh session."""
    victim = app.test_client()
    key, csrf = page(victim)
    sent = send(victim, key, csrf)
    assert sent.status_code == 303
    stranger = app.test_client()
    _, own_csrf = page(stranger)  # a valid CSRF token of the stranger's own
    for answers in ({}, {"a1": "1"}):
        replay = send(stranger, key, own_csrf, **answers)
        assert replay.status_code == 400
        assert sent.location.rsplit("/", 1)[1] not in replay.get_data(as_text=True)
        assert replay.location is None
    incomplete = stranger.post("/quiz", data={"submission_key": key, "csrf_token": own_csrf})
    assert incomplete.status_code == 400 and incomplete.location is None
    assert stored(app) == 1


def test_the_same_browser_lands_on_its_result_while_the_key_is_recent(app, monkeypatch):
    client = app.test_client()
    key, csrf = page(client)
    first = send(client, key, csrf)
    later(monkeypatch, 59)
    again = send(client, key, csrf)  # Back and send again, within the hour
    assert again.status_code == 303 and again.location == first.location
    assert stored(app) == 1


def test_an_old_copy_of_a_sent_page_says_it_was_sent_and_links_nowhere(app, monkeypatch):
    client = app.test_client()
    key, csrf = page(client)
    first = send(client, key, csrf)
    token = first.location.rsplit("/", 1)[1]
    later(monkeypatch, 61)
    for data in (
        {**mini_answers(), "submission_key": key, "csrf_token": csrf},
        {"submission_key": key, "csrf_token": csrf},  # no answers at all
    ):
        response = client.post("/quiz", data=data)
        text = response.get_data(as_text=True)
        assert response.status_code == 409
        assert "This questionnaire was already sent" in text
        assert token not in text and "/r/" not in text
        assert response.headers["Cache-Control"] == "no-store"
    assert stored(app) == 1


def test_a_page_left_open_for_hours_is_still_stored_once(app, monkeypatch):
    """An old key that never made a result is someone who answered slowly: their answers count."""
    client = app.test_client()
    key, csrf = page(client)
    later(monkeypatch, 300)
    first = send(client, key, csrf)
    assert first.status_code == 303
    assert client.get(first.location).status_code == 200
    assert stored(app) == 1


def test_a_key_is_bound_to_the_session_and_the_secret(app):
    key = keys.issue("secret", "browser-a", 1_765_000_000)
    assert keys.PATTERN.fullmatch(key)
    now = 1_765_000_100
    assert keys.check("secret", key, "browser-a", now, 3600) is keys.KeyCheck.FRESH
    assert keys.check("secret", key, "browser-b", now, 3600) is keys.KeyCheck.FORGED
    assert keys.check("other", key, "browser-a", now, 3600) is keys.KeyCheck.FORGED
    assert keys.check("secret", key, None, now, 3600) is keys.KeyCheck.FORGED
    assert keys.check("secret", key, "browser-a", now + 3600, 3600) is keys.KeyCheck.STALE
    nonce, issued, signature = key.split(".")
    moved = f"{nonce}.{int(issued) + 7200}.{signature}"  # a later time under the same signature
    assert keys.check("secret", moved, "browser-a", now + 7200, 3600) is keys.KeyCheck.FORGED


def test_the_page_after_an_error_keeps_a_key_that_still_works(app):
    client = app.test_client()
    key, csrf = page(client)
    data = {**mini_answers(), "submission_key": key, "csrf_token": csrf}
    del data["b4"]
    again = client.post("/quiz", data=data)
    assert again.status_code == 422
    kept, fresh_csrf = (
        KEY.search(again.get_data(as_text=True)).group(1),
        CSRF.search(again.get_data(as_text=True)).group(1),
    )
    assert kept == key
    assert send(client, kept, fresh_csrf).status_code == 303
    assert stored(app) == 1
