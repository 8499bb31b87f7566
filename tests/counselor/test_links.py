"""Quiz links: creating them, sharing them, and their lifecycle (expiry, closing, a maximum)."""

import datetime as dt
import re

import pytest
from sqlalchemy import select

from quizapp.storage import db
from quizapp.storage.links import OPEN
from quizapp.storage.models import QuizLink, Result
from tests.conftest import add_link, add_result, mini_answers


def count_results(app):
    with app.app_context():
        return len(db.session().scalars(select(Result.id)).all())


def results_for(app, link_id):
    with app.app_context():
        return db.session().scalars(select(Result).where(Result.link_id == link_id)).all()


def test_counselor_creates_a_link(app, staff):
    response = staff["anna"].post(
        "/counselor/links/new",
        data={
            "label": "  Spring cohort, evening class ",
            "rubric_id": "mini",
            "expires_on": "2099-06-30",
            "max_responses": "25",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        link = db.session().scalars(select(QuizLink)).one()
        assert (link.label, link.rubric_id, link.max_responses) == (
            "Spring cohort, evening class",
            "mini",
            25,
        )
        assert link.expires_on == dt.date(2099, 6, 30)
        assert len(link.code) >= 16
    page = staff["anna"].get(response.location).get_data(as_text=True)
    assert f"http://localhost/q/{link.code}" in page
    assert "Copy link" in page
    assert f'src="/counselor/links/{link.id}/qr.svg"' in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"label": "", "rubric_id": "mini"}, "Give the link a label."),
        ({"label": "   ", "rubric_id": "mini"}, "Give the link a label."),
        ({"label": "x", "rubric_id": "nope"}, "Not a valid choice."),
        (
            {"label": "x", "rubric_id": "mini", "expires_on": "2000-01-01"},
            "Choose today or a later day.",
        ),
        (
            {"label": "x", "rubric_id": "mini", "max_responses": "0"},
            "Enter a number from 1 to 100,000.",
        ),
        ({"label": "x" * 121, "rubric_id": "mini"}, "Field cannot be longer than 120 characters."),
    ],
)
def test_bad_link_input_is_explained_and_nothing_is_stored(app, staff, data, message):
    response = staff["anna"].post("/counselor/links/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session().scalars(select(QuizLink)).all() == []


def test_qr_code_is_an_svg_of_the_link(app, staff):
    link_id, _code = add_link(app)
    response = staff["anna"].get(f"/counselor/links/{link_id}/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert "<title>QR code for a quiz link</title>" in svg


def test_a_response_through_a_link_records_the_link_and_nothing_more(app, client):
    from tests.conftest import add_user

    add_user(app, "anna")
    link_id, code = add_link(app)
    assert client.get(f"/q/{code}").status_code == 200
    response = client.post(f"/q/{code}", data=mini_answers())
    assert response.status_code == 303
    (result,) = results_for(app, link_id)
    assert result.link_id == link_id
    assert "such as your career counselor" in client.get(response.location).get_data(as_text=True)


@pytest.fixture
def anna(app):
    from tests.conftest import add_user

    return add_user(app, "anna")


def test_unknown_code_is_404(client):
    assert client.get("/q/no-such-code-at-all").status_code == 404
    assert client.post("/q/no-such-code-at-all", data=mini_answers()).status_code == 404


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"active": False}, "has closed it for now"),
        ({"expires_on": dt.date.today() - dt.timedelta(days=1)}, "that time has passed"),
    ],
    ids=["closed", "expired"],
)
def test_closed_or_expired_link_says_so_and_keeps_a_finished_quiz_apart(
    app, client, anna, fields, message
):
    link_id, code = add_link(app, **fields)
    page = client.get(f"/q/{code}")
    assert page.status_code == 410
    assert message in page.get_data(as_text=True)
    # Someone who opened the quiz before the link closed finishes it: nothing they typed is lost.
    post = client.post(f"/q/{code}", data=mini_answers())
    assert post.status_code == 303 and "/r/" in post.location
    shown = client.get(post.location).get_data(as_text=True)
    assert message in shown and "not counted in your counselor" in shown
    assert results_for(app, link_id) == []  # outside the group
    assert count_results(app) == 1  # but stored, as an individual result


def test_an_unfinished_quiz_on_a_closed_link_keeps_its_answers(app, client, anna):
    _, code = add_link(app, active=False)
    answers = mini_answers()
    del answers["b4"]
    page = client.post(f"/q/{code}", data=answers)
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "has closed it for now" in text and "kept as an individual result" in text
    assert re.search(r'name="a1" value="4"[^>]*checked', text)  # "Agree" kept
    assert count_results(app) == 0


def test_link_open_on_its_last_day(app, client, anna):
    _, code = add_link(app, expires_on=dt.datetime.now(dt.UTC).date())
    assert client.get(f"/q/{code}").status_code == 200


def test_maximum_responses_stores_the_last_allowed_and_refuses_the_next(app, client, anna):
    link_id, code = add_link(app, max_responses=5)  # a whole block of k = 5 (test_maxima.py)
    for _ in range(3):
        add_result(app, link_id=link_id)
    assert client.post(f"/q/{code}", data=mini_answers()).status_code == 303
    # A second person opened the page before it filled up, and submits last allowed response.
    assert client.post(f"/q/{code}", data=mini_answers()).status_code == 303
    late = client.post(f"/q/{code}", data=mini_answers())
    assert late.status_code == 303  # kept as an individual result, outside the group
    assert "all the responses it was set up for" in client.get(late.location).get_data(as_text=True)
    assert len(results_for(app, link_id)) == 5 and count_results(app) == 6


def test_the_last_place_taken_while_answering_keeps_the_quiz(app, client, anna, monkeypatch):
    # Both people saw an open link; the other one's answer arrived first.
    link_id, code = add_link(app, max_responses=5)
    for _ in range(4):
        add_result(app, link_id=link_id)
    monkeypatch.setattr("quizapp.quiz.views.state_of", lambda *_: OPEN)
    assert client.post(f"/q/{code}", data=mini_answers()).status_code == 303
    second = client.post(f"/q/{code}", data=mini_answers())
    assert second.status_code == 303
    assert "not counted in your counselor" in client.get(second.location).get_data(as_text=True)
    assert len(results_for(app, link_id)) == 5 and count_results(app) == 6


def test_counselor_closes_and_reopens_a_link(app, staff):
    link_id, code = add_link(app)
    anna = staff["anna"]
    assert anna.post(f"/counselor/links/{link_id}/active").status_code == 303
    assert app.test_client().get(f"/q/{code}").status_code == 410
    assert "Closed" in anna.get("/counselor/").get_data(as_text=True)
    anna.post(f"/counselor/links/{link_id}/active")
    assert app.test_client().get(f"/q/{code}").status_code == 200


def test_dashboard_lists_own_links_with_counts(app, staff):
    _link_id, code = add_link(app, label="Mine", max_responses=10)
    add_link(app, owner="ben", label="Someone else's")
    app.test_client().post(f"/q/{code}", data=mini_answers())
    page = staff["anna"].get("/counselor/").get_data(as_text=True)
    assert "Mine" in page and "Someone else" not in page
    # Counts are coarsened for counselors, as on the link page: never the exact number.
    assert re.search(
        r'class="num[^"]*">fewer than 5<span class="cell-unit"> responses</span>', page
    )
    assert "(at most 10)" in page
    admin_page = staff["root"].get("/counselor/").get_data(as_text=True)
    assert "Mine" in admin_page and "Someone else&#39;s" in admin_page


PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_label_with_markup_is_escaped_everywhere(app, staff):
    link_id, _ = add_link(app, label=PAYLOAD)
    for client, path in [
        (staff["anna"], "/counselor/"),
        (staff["anna"], f"/counselor/links/{link_id}"),
        (staff["root"], "/counselor/"),
    ]:
        page = client.get(path).get_data(as_text=True)
        assert PAYLOAD not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_another_counselors_link_is_404(app, staff):
    link_id, _ = add_link(app, owner="ben")
    for path in ["", "/qr.svg", "/cohort.csv"]:
        assert staff["anna"].get(f"/counselor/links/{link_id}{path}").status_code == 404
    assert staff["anna"].post(f"/counselor/links/{link_id}/active").status_code == 404
    assert staff["root"].get(f"/counselor/links/{link_id}").status_code == 200


def test_a_link_without_a_maximum_never_counts_its_responses(app, client, anna, monkeypatch):
    """Its questionnaire and its submissions cost the same at any size: the count, which grows
    with the link, is never asked for (here it would fail), neither by the page nor in the
    submission's write. A link with a maximum still counts, and refuses when it is full."""
    from dataclasses import replace

    from quizapp.quiz import views
    from quizapp.storage import results

    def no_count(*_):
        raise AssertionError("counted the responses of a link without a maximum")

    monkeypatch.setattr(views, "response_count", no_count)
    monkeypatch.setattr(
        results,
        "STATEMENTS",
        {
            name: replace(statements, responses="SELECT no_such_function()")
            for name, statements in results.STATEMENTS.items()
        },
    )
    link_id, code = add_link(app)
    assert client.get(f"/q/{code}").status_code == 200
    assert client.post(f"/q/{code}", data=mini_answers()).status_code == 303
    assert client.post(f"/q/{code}", data=mini_answers()).status_code == 303
    assert len(results_for(app, link_id)) == 2

    monkeypatch.undo()
    full_id, full = add_link(app, max_responses=5)
    for _ in range(4):
        add_result(app, link_id=full_id)
    assert client.post(f"/q/{full}", data=mini_answers()).status_code == 303
    assert client.get(f"/q/{full}").status_code == 410  # counted: full
    assert len(results_for(app, full_id)) == 5
