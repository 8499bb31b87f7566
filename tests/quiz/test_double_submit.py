"""A questionnaire page posted twice stores one result: in a row (Back, reload, double click) or
at the same moment (20 replays in parallel, on PostgreSQL where they really race)."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from quizapp import db
from quizapp.models import Result, StatRollup
from quizapp.stats import fold_pending
from tests.conftest import mini_answers
from tests.test_concurrency import post, postgres_app, serve


def page_key(client, path="/quiz"):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page).group(1)


def counts(app):
    with app.app_context():
        session = db.session()
        fold_pending(session)  # running totals are added on the next read
        results = session.scalar(select(func.count()).select_from(Result))
        rolled = session.scalar(
            select(func.sum(StatRollup.n)).where(
                StatRollup.kind == "all", StatRollup.link_key == -1
            )
        )
        return results, rolled


def test_each_page_gets_its_own_key(client):
    assert page_key(client) != page_key(client)


def test_posting_the_same_page_twice_stores_one_result(app, client):
    data = mini_answers(submission_key=page_key(client))
    first = client.post("/quiz", data=data)
    again = client.post("/quiz", data=data)  # Back and submit again, or a reload
    assert first.status_code == again.status_code == 303
    assert again.location == first.location
    assert counts(app) == (1, 1)
    # A new page is a new sitting.
    other = client.post("/quiz", data=mini_answers(submission_key=page_key(client)))
    assert other.location != first.location and counts(app) == (2, 2)


def test_a_page_that_came_back_with_an_error_keeps_its_key(client):
    key = page_key(client)
    data = mini_answers(submission_key=key)
    del data["b4"]
    page = client.post("/quiz", data=data).get_data(as_text=True)
    assert f'name="submission_key" type="hidden" value="{key}"' in page


@pytest.mark.parametrize("key", ["short", "x" * 23, "has spaces in it....!!", ""])
def test_a_forged_key_is_refused(app, client, key):
    response = client.post("/quiz", data=mini_answers(submission_key=key))
    assert response.status_code == 400
    assert "submission key is not one this site makes" in response.get_data(as_text=True)
    assert counts(app)[0] == 0


def test_twenty_parallel_replays_store_one_result_on_postgresql(postgres_url):
    app = postgres_app(postgres_url)
    client = app.test_client()
    data = mini_answers(submission_key=page_key(client))
    server, thread = serve(app)
    try:
        url = f"http://127.0.0.1:{server.server_port}/quiz"
        barrier = threading.Barrier(20)

        def replay():
            barrier.wait()
            return post(url, data, location=True)

        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(pool.map(lambda _: replay(), range(20)))
    finally:
        server.shutdown()
        thread.join(timeout=5)
    assert {status for status, _ in answers} == {303}
    assert len({location for _, location in answers}) == 1  # all land on the same result
    assert counts(app) == (1, 1)
    with app.app_context():
        db.engine().dispose()
