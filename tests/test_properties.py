"""Property-based tests: arbitrary posts to every form never give a 500, and never store a
partial or duplicate result (hypothesis; 1,300 examples in all).

Each example is a form body built from the form's own field names, its valid values and anything
else: fields missing, repeated or unknown, wrong types, odd characters and encodings, and huge
values. Whatever comes in, the answer is a 2xx, 3xx or 4xx, and the stored rows stay whole.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from quizapp.reporting.stats import fold_pending
from quizapp.storage import db
from quizapp.storage.models import QuizLink, Result, ResultScore, StatRollup, User
from tests.conftest import add_link, mini_answers

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ODD = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.sampled_from(["", " ", "\x00", "1e309", "-1", "99999999999999999999", "ns", "x", "∞"]),
    st.binary(max_size=20).map(lambda b: b.decode("latin-1")),
    st.integers().map(str),
    st.just("9" * 20_000),  # a huge value, still under the request size limit
)


def form_bodies(valid: dict[str, str]):
    """Bodies made from a valid form: each field kept, dropped, changed or repeated, plus extras."""
    names = list(valid)

    @st.composite
    def body(draw):
        pairs = []
        for name in names:
            choice = draw(st.sampled_from(["keep", "keep", "drop", "odd", "repeat"]))
            if choice == "keep":
                pairs.append((name, valid[name]))
            elif choice == "odd":
                pairs.append((name, draw(ODD)))
            elif choice == "repeat":
                pairs += [(name, valid[name]), (name, draw(ODD))]
        for _ in range(draw(st.integers(0, 2))):
            pairs.append((draw(st.text(min_size=1, max_size=12)), draw(ODD)))
        return MultiDict(pairs)

    # The valid form itself now and then, so stored results (and replays) are exercised too.
    return st.one_of(st.builds(lambda: MultiDict(valid)), body(), body(), body())


def stored(app) -> tuple[int, int, int]:
    with app.app_context():
        session = db.session()
        fold_pending(session)  # running totals are added on the next read
        results = session.scalar(select(func.count()).select_from(Result))
        scores = session.scalar(select(func.count()).select_from(ResultScore))
        rolled = session.scalar(
            select(func.coalesce(func.sum(StatRollup.n), 0)).where(
                StatRollup.kind == "all", StatRollup.link_key == -1
            )
        )
        return results, scores, rolled


def check_quiz_posts(app, path: str, valid: dict[str, str]):
    client = app.test_client()

    @SETTINGS
    @given(form_bodies(valid))
    def run(body):
        before = stored(app)
        response = client.post(path, data=body)
        assert response.status_code < 500, response.get_data(as_text=True)[:500]
        after = stored(app)
        if response.status_code == 303:
            # One whole result: its row, one score per dimension (2 in the mini quiz), its totals.
            assert after in (before, (before[0] + 1, before[1] + 2, before[2] + 1))
        else:
            assert after == before

    run()


def test_arbitrary_posts_to_the_quiz(app):
    check_quiz_posts(app, "/quiz", mini_answers(submission_key="A" * 22))


def test_arbitrary_posts_through_a_link(app, staff):
    _, code = add_link(app, max_responses=50)
    check_quiz_posts(app, f"/q/{code}", mini_answers())


def test_arbitrary_posts_to_sign_in(app, staff):
    client = app.test_client()

    @SETTINGS
    @given(form_bodies({"username": "anna", "password": "wrong but long enough"}))
    def run(body):
        response = client.post("/login", data=body)
        assert response.status_code < 500

    run()


def test_arbitrary_posts_to_a_new_link(app, staff):
    client = staff["anna"]
    valid = {
        "label": "Autumn",
        "rubric_id": "mini",
        "expires_on": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
        "max_responses": "20",
    }

    def links():
        with app.app_context():
            return db.session().scalar(select(func.count()).select_from(QuizLink))

    @SETTINGS
    @given(form_bodies(valid))
    def run(body):
        before = links()
        response = client.post("/counselor/links/new", data=body)
        assert response.status_code < 500
        assert links() == before + (1 if response.status_code == 303 else 0)

    run()


def test_arbitrary_posts_to_the_admin_accounts_page(app, staff):
    client = staff["root"]

    def users():
        with app.app_context():
            return db.session().scalar(select(func.count()).select_from(User))

    @settings(SETTINGS, max_examples=100)
    @given(
        form_bodies({"username": "carol", "password": "a sound passphrase 73", "role": "counselor"})
    )
    def run(body):
        before = users()
        response = client.post("/admin/users", data=body)
        assert response.status_code < 500
        assert users() in (before, before + 1)

    run()
