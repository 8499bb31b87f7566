"""A questionnaire page posted twice stores one result: in a row (Back, reload, double click) or
at the same moment (20 replays in parallel, on PostgreSQL where they really race)."""

import base64
import hashlib
import hmac
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic import command
from sqlalchemy import create_engine, func, inspect, select, text

from quizapp.reporting.stats import fold_pending
from quizapp.storage import db
from quizapp.storage.db import alembic_config
from quizapp.storage.models import Result, StatRollup, submission_token
from tests.conftest import mini_answers
from tests.storage.test_concurrency import post, postgres_app, serve


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


@pytest.mark.parametrize("key", ["short", "x" * 23, "has spaces in it....!!", "", "A" * 22])
def test_a_key_of_the_wrong_shape_is_refused(app, client, key):
    response = client.post("/quiz", data=mini_answers(submission_key=key))
    assert response.status_code == 400
    assert "submission key is not one this site made for this browser" in response.get_data(
        as_text=True
    )
    assert counts(app)[0] == 0


def test_twenty_parallel_replays_store_one_result_on_postgresql(postgres_url):
    app = postgres_app(postgres_url)
    client = app.test_client()
    data = mini_answers(submission_key=page_key(client))
    cookie = f"session={client.get_cookie('session').value}"  # the browser the page was shown in
    server, thread = serve(app)
    try:
        url = f"http://127.0.0.1:{server.server_port}/quiz"
        barrier = threading.Barrier(20)

        def replay():
            barrier.wait()
            return post(url, data, location=True, cookie=cookie)

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


def test_the_result_token_is_made_from_the_page_key_which_is_not_stored(app, client):
    key = page_key(client)
    response = client.post("/quiz", data=mini_answers(submission_key=key))
    token = response.location.rsplit("/", 1)[1]
    # HMAC-SHA256 under the app's secret key, labelled, cut to 24 bytes, URL-safe base64.
    made = hmac.new(
        app.secret_key.encode(), b"quizapp result token\0" + key.encode(), hashlib.sha256
    ).digest()[:24]
    assert token == base64.urlsafe_b64encode(made).decode() and len(token) == 32
    with app.app_context():
        row = db.session().execute(text("SELECT * FROM results")).mappings().one()
    assert row["token"] == token
    assert key not in repr(dict(row))  # the page's key is kept nowhere, only inside the token
    # Another secret key makes another token from the same page key.
    assert submission_token("another secret", key) != token


def test_a_post_without_a_page_key_gets_a_random_token_each_time(app, client):
    data = mini_answers()
    data.pop("submission_key", None)
    first = client.post("/quiz", data=data)
    again = client.post("/quiz", data=data)
    assert first.status_code == again.status_code == 303
    assert first.location != again.location
    assert counts(app) == (2, 2)


def upgraded_from_0013(url):
    """A database at schema 0013 holding one result with its page's key, then upgraded."""
    engine = create_engine(url)
    db.upgrade(url, "0013")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO results (token, submission_key, rubric_id, rubric_version, "
                "rubric_hash, completed_on, overall, band, answered, answers, notes, profile) "
                "VALUES ('t-before', 'k-before', 'mini', '1', 'h', '2026-01-02', 50, 'fit', "
                "8, '{}', '[]', '{}')"
            )
        )
    db.upgrade(url)
    columns = {c["name"] for c in inspect(engine).get_columns("results")}
    uniques = inspect(engine).get_unique_constraints("results")
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT token, band FROM results")).all()
    engine.dispose()
    return columns, uniques, kept


def check_upgrade(url):
    columns, uniques, kept = upgraded_from_0013(url)
    assert "submission_key" not in columns and "token" in columns
    assert [u["column_names"] for u in uniques] == [["token"]]
    assert kept == [("t-before", "fit")]  # results stored before the upgrade stay whole
    command.downgrade(alembic_config(url), "0013")
    engine = create_engine(url)
    assert "submission_key" in {c["name"] for c in inspect(engine).get_columns("results")}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT token, submission_key FROM results")).all() == [
            ("t-before", None)
        ]
    engine.dispose()


def test_migration_0014_drops_the_key_column_and_keeps_results_on_sqlite(tmp_path):
    check_upgrade(f"sqlite:///{tmp_path / 'old.sqlite'}")


def test_migration_0014_drops_the_key_column_and_keeps_results_on_postgresql(postgres_url):
    check_upgrade(postgres_url)
