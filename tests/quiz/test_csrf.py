"""CSRF protection is on in production; these tests run with it on."""

import re

import pytest

from tests.conftest import make_app, mini_answers


@pytest.fixture
def app(tmp_path, migrated_db):
    return make_app(tmp_path, migrated_db, WTF_CSRF_ENABLED=True)


def token_from(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_submission_with_the_page_token_is_accepted(client, count_results):
    token = token_from(client.get("/quiz").get_data(as_text=True))
    response = client.post("/quiz", data={**mini_answers(), "csrf_token": token})
    assert response.status_code == 303
    assert count_results() == 1


@pytest.mark.parametrize("token", [None, "forged-token"], ids=["missing", "wrong"])
def test_missing_or_wrong_token_is_refused(client, count_results, token):
    client.get("/quiz")  # a session exists, as it would in a browser
    data = mini_answers()
    if token:
        data["csrf_token"] = token
    response = client.post("/quiz", data=data)
    assert response.status_code == 400
    assert "security token was missing or did not match" in response.get_data(as_text=True)
    assert count_results() == 0
