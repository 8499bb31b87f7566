"""A link's maximum comes in whole blocks of k, so that "Full" never tells a counselor the exact
number of responses, which they otherwise see only as a range of one block ("5–9")."""

import html
import re

import pytest
from sqlalchemy import func, select

from quizapp.storage import db
from quizapp.storage.links import OPEN, counted_maximum
from quizapp.storage.models import QuizLink, Result
from tests.conftest import add_link, add_result, add_user, login, make_app, mini_answers


def multiple_refusal(k: int, least: int) -> str:
    return (
        f"The maximum must be a multiple of {k} ({least}, {least + k}, {least + 2 * k}, ...), "
        "so that it never tells you the exact number of responses."
    )


def links(app) -> list[tuple[str, int | None]]:
    with app.app_context():
        rows = db.session().execute(select(QuizLink.label, QuizLink.max_responses))
        return [tuple(row) for row in rows.all()]


def saved_maximum(app, link_id: int) -> int | None:
    with app.app_context():
        return db.session().get(QuizLink, link_id).max_responses


def results_through(app, link_id: int) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).where(Result.link_id == link_id))


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("maximum", "k", "counted"),
    [(None, 5, None), (5, 5, 5), (6, 5, 5), (9, 5, 5), (10, 5, 10), (2, 5, 0), (10, 8, 8)],
)
def test_a_maximum_counts_as_its_whole_blocks(maximum, k, counted):
    assert counted_maximum(maximum, k) == counted


# --- the form refuses maxima between blocks ------------------------------------------------


@pytest.mark.parametrize("maximum", ["6", "7", "9", "12", "99999"])
def test_creating_a_link_with_a_maximum_between_blocks_is_refused(app, staff, maximum):
    response = staff["anna"].post(
        "/counselor/links/new",
        data={"label": "Evening class", "rubric_id": "mini", "max_responses": maximum},
    )
    assert response.status_code == 422
    page = text_of(response)
    assert multiple_refusal(5, 5) in page
    assert 'id="error-summary"' in page and 'aria-invalid="true"' in page
    assert links(app) == []


@pytest.mark.parametrize("maximum", [5, 10, 100_000])
def test_creating_a_link_with_whole_blocks_is_accepted(app, staff, maximum):
    page = text_of(staff["anna"].get("/counselor/links/new"))
    assert "Choose a multiple of 5 (5, 10, 15, ...), as you see the number of responses" in page
    assert re.search(r'<input[^>]*id="max_responses"[^>]*min="5"[^>]*step="5"', page)
    response = staff["anna"].post(
        "/counselor/links/new",
        data={"label": "Evening class", "rubric_id": "mini", "max_responses": str(maximum)},
    )
    assert response.status_code == 303
    assert links(app) == [("Evening class", maximum)]


@pytest.mark.parametrize(
    ("responses", "maximum", "message"),
    [
        (0, "6", multiple_refusal(5, 5)),
        (3, "8", multiple_refusal(5, 5)),
        (7, "12", multiple_refusal(5, 10)),  # listed from above the 5–9 already received
        (7, "6", "This link has already received 5–9 responses"),  # as before
        (12, "21", multiple_refusal(5, 15)),
    ],
)
def test_editing_to_a_maximum_between_blocks_is_refused(app, staff, responses, maximum, message):
    link_id, _ = add_link(app, max_responses=20)
    for _ in range(responses):
        add_result(app, link_id=link_id)
    response = staff["anna"].post(
        f"/counselor/links/{link_id}/edit",
        data={"label": "A new name", "expires_on": "", "max_responses": maximum},
    )
    assert response.status_code == 422
    assert message in text_of(response)
    assert links(app) == [("Spring cohort", 20)]


def test_the_blocks_follow_the_configured_k(tmp_path, migrated_db):
    app = make_app(tmp_path, migrated_db, COHORT_MIN_SIZE=8)
    add_user(app, "anna")
    client = app.test_client()
    login(client, "anna")
    data = {"label": "Group", "rubric_id": "mini", "max_responses": "12"}
    refused = client.post("/counselor/links/new", data=data)
    assert refused.status_code == 422
    assert multiple_refusal(8, 8) in text_of(refused)
    assert links(app) == []
    assert client.post("/counselor/links/new", data={**data, "max_responses": "16"}).status_code
    assert links(app) == [("Group", 16)]


# --- maxima saved before the rule ----------------------------------------------------------


def status_line(page: str) -> str:
    """The link page's state and count, as one line of text."""
    found = re.search(r'<span class="status[^"]*">(.*?)</span>\s*· (.*?)\n', page)
    return f"{found[1]} · {found[2].strip()}"


def test_a_maximum_saved_between_blocks_counts_as_its_whole_blocks(app, staff, client):
    link_id, code = add_link(app, max_responses=6)
    anna = staff["anna"]
    for _ in range(4):
        add_result(app, link_id=link_id)
    assert status_line(text_of(anna.get(f"/counselor/links/{link_id}"))) == (
        "Open · fewer than 5 responses (at most 5)"
    )
    assert client.get(f"/q/{code}").status_code == 200

    add_result(app, link_id=link_id)  # the 5th: full, as the count's range turns to 5–9
    assert status_line(text_of(anna.get(f"/counselor/links/{link_id}"))) == (
        "Full · 5–9 responses (at most 5)"
    )
    listing = text_of(anna.get("/counselor/"))
    counted = '5–9<span class="cell-unit"> responses</span><span class="cell-unit"> (at most 5)'
    assert counted in listing
    assert ">Full</span>" in listing
    closed = client.get(f"/q/{code}")
    assert closed.status_code == 410
    assert "all the responses it was set up for" in text_of(closed)
    late = client.post(f"/q/{code}", data=mini_answers())
    assert late.status_code == 303  # kept as an individual result, outside the group
    assert results_through(app, link_id) == 5

    edit = text_of(anna.get(f"/counselor/links/{link_id}/edit"))
    assert 'value="6"' in edit
    assert (
        "This link's maximum, 6, is not a multiple of 5, so it counts as 5: it takes no more "
        "responses once it has 5."
    ) in edit
    # Left as it is, the saved maximum is kept, so that the link can be renamed.
    renamed = anna.post(
        f"/counselor/links/{link_id}/edit",
        data={"label": "Renamed", "expires_on": "", "max_responses": "6"},
    )
    assert renamed.status_code == 303
    assert links(app) == [("Renamed", 6)]


def test_a_maximum_saved_below_k_takes_no_responses(app, staff, client):
    link_id, code = add_link(app, max_responses=2)
    assert status_line(text_of(staff["anna"].get(f"/counselor/links/{link_id}"))) == (
        "Full · fewer than 5 responses (at most 0)"
    )
    edit = text_of(staff["anna"].get(f"/counselor/links/{link_id}/edit"))
    assert (
        "This link's maximum, 2, is not a multiple of 5, so it counts as 0: it takes no "
        "responses until you change the maximum."
    ) in edit
    assert client.get(f"/q/{code}").status_code == 410
    assert client.post(f"/q/{code}", data=mini_answers()).status_code == 303
    assert results_through(app, link_id) == 0


def test_the_write_counts_a_saved_maximum_in_whole_blocks_too(app, client, monkeypatch):
    """Someone who opened the page while the link was open submits after it filled: the check in
    the write's transaction (locked on PostgreSQL) rounds the maximum the same way."""
    add_user(app, "anna")
    link_id, code = add_link(app, max_responses=9)
    for _ in range(5):
        add_result(app, link_id=link_id)
    monkeypatch.setattr("quizapp.quiz.views.state_of", lambda *_: OPEN)
    late = client.post(f"/q/{code}", data=mini_answers())
    assert late.status_code == 303
    assert "not counted in your counselor" in text_of(client.get(late.location))
    assert results_through(app, link_id) == 5


# --- the review's attack: watching "Full" to learn the exact count -------------------------


RANGE = r"(fewer than \d+|\d+–\d+)"


def bounds(shown: str) -> tuple[int, int]:
    if shown.startswith("fewer than "):
        return 0, int(shown.removeprefix("fewer than ")) - 1
    low, high = shown.split("–")
    return int(low), int(high)


def without_csrf_tokens(page: str) -> str:
    """A page with its CSRF tokens blanked: they carry the second they were made, nothing more."""
    return re.sub(r'(name="csrf_token"[^>]*value=)"[^"]*"', r'\1""', page)


def counselor_view(counselor, client, link_id: int, code: str) -> dict:
    """Everything the counselor can see of the link, the client's page included."""
    listing, page, edit = (
        without_csrf_tokens(text_of(counselor.get(path)))
        for path in (
            "/counselor/",
            f"/counselor/links/{link_id}",
            f"/counselor/links/{link_id}/edit",
        )
    )
    quiz = client.get(f"/q/{code}")
    return {
        "list state": re.search(r'class="cell-state"><span class="status[^"]*">(\w+)<', listing)[1],
        "list range": re.search(rf'>{RANGE}<span class="cell-unit"> responses', listing)[1],
        "page state": re.search(r'<span class="status[^"]*">(\w+)</span>', page)[1],
        "page range": re.search(rf"· {RANGE} responses", page)[1],
        "edit range": re.search(rf"This link has {RANGE} responses so far", edit)[1],
        "quiz status": quiz.status_code,
        # Whole pages too: nothing on them may change inside a block (the questionnaire's
        # one-time key does, so of the client's page only a closed one is kept).
        "pages": (listing, page, edit, text_of(quiz) if quiz.status_code == 410 else None),
    }


def take_quiz(app, code: str) -> None:
    someone = app.test_client()  # each person in a browser of their own
    assert someone.post(f"/q/{code}", data=mini_answers()).status_code == 303


def watch_it_fill(app, counselor, link_id: int, code: str, maximum: int) -> None:
    """Add responses one at a time, and two more once the link is full, looking at everything
    the counselor can see after each: state and range move together, and nothing differs
    between two exact counts in the same block."""
    client = app.test_client()  # the counselor's own look at the client's page, signed out
    seen = {}  # the lowest count of a block shown -> what the counselor saw within it
    for exact in range(results_through(app, link_id), maximum + 3):
        if exact > results_through(app, link_id):
            take_quiz(app, code)
        stored = results_through(app, link_id)
        assert stored == min(exact, maximum)
        view = counselor_view(counselor, client, link_id, code)
        assert view["list state"] == view["page state"]
        assert view["list range"] == view["page range"] == view["edit range"]
        low, high = bounds(view["page range"])
        assert low <= stored <= high
        full = view["page state"] == "Full"
        assert full == (view["quiz status"] == 410)
        # "Full" exactly when the range shown reaches the maximum.
        assert full == (low <= maximum <= high)
        seen.setdefault(low, []).append(view)
    for low, views in seen.items():
        assert all(view == views[0] for view in views), f"the block from {low} reveals more"
    assert sorted(seen) == list(range(0, maximum + 1, 5))


@pytest.mark.parametrize("maximum", [5, 10])
def test_full_never_tells_the_exact_count(app, staff, maximum):
    anna = staff["anna"]
    created = anna.post("/counselor/links/new", data={"label": "Small group", "rubric_id": "mini"})
    link_id = int(created.location.rsplit("/", 1)[1])
    with app.app_context():
        code = db.session().get(QuizLink, link_id).code
    for _ in range(2):
        take_quiz(app, code)

    # The review's try: at "fewer than 5", a maximum of 6 would read "Full" at the 6th result
    # while the count still read "5–9".
    tried = anna.post(
        f"/counselor/links/{link_id}/edit",
        data={"label": "Small group", "expires_on": "", "max_responses": "6"},
    )
    assert tried.status_code == 422
    assert multiple_refusal(5, 5) in text_of(tried)
    assert saved_maximum(app, link_id) is None

    saved = anna.post(
        f"/counselor/links/{link_id}/edit",
        data={"label": "Small group", "expires_on": "", "max_responses": str(maximum)},
    )
    assert saved.status_code == 303
    anna.get(saved.location)  # shows the "saved" notice once, so that it is not compared below
    watch_it_fill(app, anna, link_id, code, maximum)


def test_a_maximum_saved_between_blocks_never_tells_the_exact_count(app, staff):
    link_id, code = add_link(app, label="Small group", max_responses=6)  # before the rule
    for _ in range(2):
        take_quiz(app, code)
    watch_it_fill(app, staff["anna"], link_id, code, maximum=5)
