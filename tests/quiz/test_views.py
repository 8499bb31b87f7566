"""The quiz as a visitor sees it: landing page, questionnaire, bad input, result page and JSON."""

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from quizapp import db
from quizapp.models import Result
from tests.conftest import mini_answers


def submit(client, **changes):
    return client.post("/quiz", data=mini_answers(**changes))


def stored(app):
    with app.app_context():
        return db.session().scalars(select(Result).options(selectinload(Result.scores))).all()


def test_landing_explains_the_quiz(client):
    page = client.get("/").get_data(as_text=True)
    assert "<h1>Mini quiz</h1>" in page
    assert "About 2 minutes" in page
    assert "Exactly what is stored" in page
    assert "We never store your IP address" in page
    assert "Not a real assessment." in page  # the disclaimer
    assert 'href="/quiz"' in page


def test_questionnaire_has_a_labelled_group_per_question(client):
    response = client.get("/quiz")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("<fieldset") == 9  # 8 statements and 1 scenario
    assert '<legend><span class="qnum">1.</span> I like alpha.</legend>' in page
    assert page.count(">Not sure</span>") == 8
    assert "Part 1 of 3" in page and "Part 3 of 3" in page
    assert 'name="csrf_token"' not in page  # CSRF is off in this module; see test_csrf.py


def test_submitting_stores_the_result_and_redirects_to_it(app, client):
    response = submit(client)
    assert response.status_code == 303
    token = re.fullmatch(r"/r/([A-Za-z0-9_-]{32})", response.location).group(1)
    (result,) = stored(app)
    assert result.token == token
    assert result.answers == {
        "a1": 4,
        "a2": 4,
        "a3": 4,
        "a4": 2,
        "b1": 4,
        "b2": 4,
        "b3": 2,
        "b4": 2,
        "s1": "x",
    }
    assert (result.rubric_id, result.rubric_version) == ("mini", "0.1")
    assert len(result.rubric_hash) == 64
    assert result.overall == 72.9 and result.band == "high"
    assert [(s.dimension_id, s.score) for s in result.scores] == [("alpha", 81.25), ("beta", 56.25)]
    assert result.profile == {
        "fit": ["f-alpha"],
        "not_fit": [],
        "strengths": ["alpha"],
        "gaps": [],
        "grow": ["beta", "alpha"],  # no gap: the two lowest areas, lowest first
    }


def test_result_page_shows_what_was_stored(client):
    location = submit(client, b1="1", b2="1", b3="5", s1="z").location
    response = client.get(location)
    page = response.get_data(as_text=True)
    # alpha: 75*0.75 + 0 = 56.25 -> 56; beta: b1,b2 0, b3 0, b4 75 -> 18.75*0.75 = 14.06 -> 14
    # overall (2*56.25 + 14.06) / 3 = 42.19 -> 42, the low band
    assert response.headers["Cache-Control"] == "no-store"
    assert "<h1>Low fit</h1>" in page
    assert '<span class="overall-number">42</span>' in page
    assert re.search(r"Alpha</span>\s*<span class=\"bar-value\">56<", page)
    assert re.search(r"Beta</span>\s*<span class=\"bar-value\">14<", page)
    assert "Practise beta." in page  # the gap's next step
    assert "avoid beta" in page and "consider: Other Role" in page
    assert "Junior" in page and "Senior" in page  # the career path
    assert "such as your career counselor" in page
    assert location in page  # the copy-link field


def test_result_json_matches_the_stored_result(client):
    location = submit(client).location
    data = client.get(location + ".json").get_json()
    assert data == {
        "rubric": {"id": "mini", "version": "0.1"},
        "completed_on": data["completed_on"],
        "band": "high",
        "overall": 73,  # whole numbers: 72.9 and 81.25 / 56.25 as the page shows them
        "dimensions": {"alpha": 81, "beta": 56},
        "strengths": ["alpha"],
        "gaps": [],
        "grow_next": ["beta", "alpha"],
        "related_roles": [],
        "notes": [],
    }
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["completed_on"])


def test_not_sure_answers_show_not_enough_answers(client):
    page = client.get(submit(client, a1="ns", a2="ns").location).get_data(as_text=True)
    assert "not enough answers" in page
    assert "<h1>Middle fit</h1>" in page


def test_missing_answer_shows_errors_and_keeps_the_other_answers(app, client):
    response = submit(client, b2=None, s1=None)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "2 questions need an answer" in page
    assert '<a href="#q-b2">Beta comes easily.</a>' in page
    assert 'id="err-b2"' in page and 'aria-describedby="err-b2"' in page
    assert "Choose the option closest to what you would most likely do." in page
    assert re.search(r'id="a1-3"[^>]*checked|checked[^>]*id="a1-3"', page)  # "Agree" kept
    assert stored(app) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (mini_answers(a1="9"), "The answer to &#39;a1&#39; is not one of the choices"),
        (mini_answers(s1="q"), "The answer to &#39;s1&#39; is not one of the choices"),
        (mini_answers(email="me@example.com"), "a field that is not part of this quiz"),
        (MultiDict([*mini_answers().items(), ("a1", "5")]), "was sent more than once"),
    ],
    ids=["forged likert value", "forged scenario option", "unknown field", "duplicated field"],
)
def test_forged_requests_are_refused_and_nothing_is_stored(app, client, data, message):
    response = client.post("/quiz", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert "Nothing was stored." in response.get_data(as_text=True)
    assert stored(app) == []


def test_oversized_request_is_refused(app, client):
    response = client.post("/quiz", data=mini_answers(a1="4" * 100_000))
    assert response.status_code == 413
    assert "more data than a questionnaire ever needs" in response.get_data(as_text=True)
    assert stored(app) == []


@pytest.mark.parametrize("path", ["/r/unknown-token-aaaaaaaaaaaaaaaa", "/quiz/no-such-quiz"])
def test_unknown_pages_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_unknown_token_json_is_404_json(client):
    response = client.get("/r/unknown-token-aaaaaaaaaaaaaaaa.json")
    assert response.status_code == 404
    assert response.get_json()["error"] == "Page not found"


def test_quiz_by_rubric_id(client):
    assert client.get("/quiz/mini").status_code == 200
    assert client.post("/quiz/mini", data=mini_answers()).status_code == 303


def test_privacy_headers(client):
    response = client.get("/")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
