"""The quiz as a visitor sees it: landing page, questionnaire, bad input, result page and JSON."""

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from quizapp.storage import db
from quizapp.storage.models import Result
from tests.conftest import MINI_RUBRICS, make_app, mini_answers


def submit(client, **changes):
    return client.post("/quiz", data=mini_answers(**changes))


def stored(app):
    with app.app_context():
        return db.session().scalars(select(Result).options(selectinload(Result.scores))).all()


def test_landing_explains_the_quiz(client):
    page = client.get("/").get_data(as_text=True)
    assert "<h1>Mini quiz</h1>" in page
    assert "About 2 minutes" in page
    # The same count as the questionnaire's ("9 questions in ... parts"): 8 statements, 1 scenario
    assert "9 questions: 8 statements and 1 short scenario<" in page
    assert '<meta name="description" content="A free, anonymous 2-minute self-assessment' in page
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


def test_the_result_address_keeps_the_mount_point(app, client):
    """Served under a path prefix (SCRIPT_NAME), the redirect after a submission keeps it, and the
    page it names is the stored result's."""
    mounted = client.post("/quiz", data=mini_answers(), base_url="http://localhost/careers")
    plain = submit(client)
    assert re.fullmatch(r"/careers/r/[A-Za-z0-9_-]{32}", mounted.location)
    assert re.fullmatch(r"/r/[A-Za-z0-9_-]{32}", plain.location)
    tokens = {r.token for r in stored(app)}
    assert tokens == {mounted.location.rsplit("/", 1)[1], plain.location.rsplit("/", 1)[1]}


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
    # Why this band, in one line: the band's range and the highest and lowest areas.
    assert (
        "42 is in Low fit (0 to 49); your strongest area is alpha (56), your lowest beta (14)."
        in page
    )
    assert '<span class="overall-number">42</span>' in page
    assert re.search(
        r"Alpha</span>\s*<span class=\"bar-value\">56<span class=\"unit\"> of 100<", page
    )
    assert re.search(
        r"Beta</span>\s*<span class=\"bar-value\">14<span class=\"unit\"> of 100<", page
    )
    assert "Practise beta." in page  # the gap's next step
    assert "avoid beta" in page and "consider: Other Role" in page
    assert "Junior" in page and "Senior" in page  # the career path
    assert "such as your career counselor" in page
    assert location in page  # the copy-link field
    # The private link comes right after the verdict, before the profile; the JSON downloads.
    assert page.index("<h1>") < page.index("Save your private link") < page.index("Your profile")
    assert f'<a href="{location}.json" download="quizapp-result.json">Download as JSON</a>' in page
    # Band ranges read naturally: whole numbers, no "(below 70)".
    assert "Middle fit</strong>: overall 50 to 69" in page
    assert "Low fit</strong>: overall 0 to 49" in page
    assert "High fit</strong>: overall 70 to 100" in page
    assert "(below" not in page


def test_result_json_matches_the_stored_result(client):
    location = submit(client).location
    response = client.get(location + ".json")
    # A file to keep: saved under a plain name, never cached or indexed.
    assert response.headers["Content-Disposition"] == 'attachment; filename="quizapp-result.json"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex"
    data = response.get_json()
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


def error_links(page):
    """The error summary's links as (target, text), in the order the page lists them."""
    start = page.index('id="error-summary"')
    summary = page[start : page.index("</div>", start)]
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)


def test_missing_answer_shows_errors_and_keeps_the_other_answers(app, client):
    response = submit(client, b2=None, s1=None)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "2 questions need an answer" in page
    assert "Your other answers have been kept" in page
    assert error_links(page) == [
        ("q-b2", "Question 4: Beta comes easily."),
        ("q-s1", "Question 9: What would you most likely do?"),
    ]
    assert 'id="err-b2"' in page and 'aria-describedby="err-b2"' in page
    assert "Choose the option closest to what you would most likely do." in page
    assert re.search(r'name="a1" value="4"[^>]*checked', page)  # "Agree" kept
    assert stored(app) == []


def test_missing_answers_are_listed_in_the_order_and_with_the_numbers_of_the_page(client):
    # Dimension order would put a3 (alpha) before b1 (beta); the page asks b1 second, a3 fifth.
    page = submit(client, a3=None, b1=None).get_data(as_text=True)
    assert error_links(page) == [
        ("q-b1", "Question 2: I like beta."),
        ("q-a3", "Question 5: I seek out alpha."),
    ]
    assert '<legend><span class="qnum">2.</span> I like beta.</legend>' in page
    assert '<legend><span class="qnum">5.</span> I seek out alpha.</legend>' in page
    # The questions show their errors in the same order.
    assert re.findall(r'id="err-([^"]+)"', page) == ["b1", "a3"]


QUESTION_ORDER = ["a1", "b1", "a2", "b2", "a3", "b3", "a4", "b4", "s1"]  # sections, then scenarios


def test_an_empty_submit_says_no_answers_arrived_and_starts_at_question_one(app, client):
    response = client.post("/quiz", data={})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "No answers were received" in page
    assert "have been kept" not in page
    links = error_links(page)
    assert links[0] == ("q-a1", "Question 1: I like alpha.")
    assert [target for target, _ in links] == [f"q-{n}" for n in QUESTION_ORDER]
    assert stored(app) == []


def test_result_bars_show_the_rubric_thresholds_in_marks_and_words(tmp_path, migrated_db):
    """The strength and gap lines come from the rubric: a rubric with 65 and 40 shows 65 and 40."""
    folder = tmp_path / "rubrics"
    folder.mkdir()
    text = (MINI_RUBRICS / "mini.yaml").read_text(encoding="utf-8")
    text = text.replace("strength_threshold: 70", "strength_threshold: 65")
    (folder / "mini.yaml").write_text(text.replace("gap_threshold: 55", "gap_threshold: 40"))
    client = make_app(tmp_path / "app", migrated_db, RUBRICS_DIR=str(folder)).test_client()
    page = client.get(submit(client, b1="1", b2="1", b3="5", s1="z").location).get_data(
        as_text=True
    )
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    # alpha 56 (between the lines), beta 14 (below the gap line)
    assert "Alpha 56 of 100 Between the lines · strength from 65 · gap below 40" in words
    assert "Beta 14 of 100 Below the gap line · strength from 65 · gap below 40" in words
    assert "Strength from 65 Gap below 40 65 or more 40 to 64 Below 40" in words  # the legend
    assert re.search(r'bar-row level-mid">.*?class="mark-strength" x1="65"', page, re.S)
    assert 'class="mark-gap" x1="40"' in page
    assert "from 70" not in words and "below 55" not in words


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
