"""Only POST writes: every address of the app, asked with HEAD, OPTIONS, PUT, PATCH or DELETE,
with a form body that would be stored if posted (with and without a valid CSRF token, signed
out, as a counselor and as an admin), leaves every table as it was."""

import re

import pytest
from sqlalchemy import select

from quizapp.storage import db
from quizapp.storage.account_links import issue
from quizapp.storage.db import Base
from quizapp.storage.models import utc_now
from quizapp.storage.users import find_user
from tests.conftest import PASSWORD, add_link, add_user, login, make_app, mini_answers

KEY = re.compile(r'name="submission_key" type="hidden" value="([^"]+)"')
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
METHODS = ("HEAD", "OPTIONS", "PUT", "PATCH", "DELETE")


def snapshot(app) -> dict[str, list]:
    """Every row of every table, in key order."""
    with app.app_context():
        session = db.session()
        tables = {}
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            tables[table.name] = [tuple(r) for r in session.execute(select(table).order_by(*order))]
        session.rollback()
        return tables


@pytest.fixture
def world(tmp_path, migrated_db):
    """An app as deployed (CSRF on, limits on) with a signed-in counselor and admin, a link with
    a result, and a new account waiting on its set-password link."""
    app = make_app(tmp_path, migrated_db, WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True)
    add_user(app, "anna", "counselor")
    add_user(app, "root", "admin")
    new_id = add_user(app, "newbie", "counselor")
    link_id, code = add_link(app, "anna")
    with app.app_context():
        session = db.session()
        newbie = find_user(session, "newbie")
        newbie.password_hash = ""
        set_password_token = issue(session, newbie, 72, utc_now()).token
        session.commit()
    clients = {"anonymous": app.test_client()}
    for name in ("anna", "root"):
        client = app.test_client()
        csrf = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
        signed_in = client.post(
            "/login", data={"username": name, "password": PASSWORD, "csrf_token": csrf}
        )
        assert signed_in.status_code == 302
        clients[name] = client
    taker = app.test_client()
    page = taker.get(f"/q/{code}").get_data(as_text=True)
    data = {
        **mini_answers(),
        "submission_key": KEY.search(page).group(1),
        "csrf_token": CSRF.search(page).group(1),
    }
    result_token = taker.post(f"/q/{code}", data=data).location.rsplit("/", 1)[1]
    values = {
        "rubric_id": "mini",
        "code": code,
        "link_id": link_id,
        "user_id": new_id,
        "name": "results",
        "fmt": "csv",
        "filename": "app.css",
    }
    return app, clients, values, result_token, set_password_token


def body_for(client) -> dict[str, str]:
    """Everything any form of the app takes, filled so that a POST would store or change it."""
    page = client.get("/quiz").get_data(as_text=True)
    return {
        **mini_answers(),
        "submission_key": KEY.search(page).group(1),
        "csrf_token": CSRF.search(page).group(1),
        "username": "root",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "role": "counselor",
        "label": "A link made by the wrong method",
        "rubric": "mini",
        "links": "archive",
    }


def test_no_method_but_post_changes_any_table(world):
    app, clients, values, result_token, set_password_token = world
    before = snapshot(app)
    for rule in app.url_map.iter_rules():
        args = {name: values.get(name) for name in rule.arguments}
        if "token" in rule.arguments:
            args["token"] = set_password_token if "password" in rule.rule else result_token
        with app.test_request_context():
            from flask import url_for

            path = url_for(rule.endpoint, **args)
        for who, client in clients.items():
            for with_token in (True, False):
                data = body_for(client)
                if not with_token:
                    del data["csrf_token"]
                for method in METHODS:
                    response = client.open(path, method=method, data=data)
                    assert response.status_code < 500, (method, path, who)
                    assert response.status_code != 303 or method not in METHODS, (method, path)
            after = snapshot(app)
            assert after == before, f"{rule.rule} changed a table for {who}"
    # The questionnaire's part of that body, posted, does store: the walk was a real threat.
    quiz_fields = {*mini_answers(), "submission_key", "csrf_token"}
    body = body_for(clients["anonymous"])
    posted = clients["anonymous"].post("/quiz", data={k: body[k] for k in quiz_fields})
    assert posted.status_code == 303
    assert len(snapshot(app)["results"]) == len(before["results"]) + 1


def test_head_to_the_questionnaire_serves_the_page_and_stores_nothing(world):
    """The review's attack: HEAD /quiz with a form body, no cookie, no token, 150 times."""
    app, _, values, *_ = world
    before = snapshot(app)
    fresh = app.test_client()
    for _ in range(150):
        response = fresh.open("/quiz", method="HEAD", data=mini_answers())
        assert response.status_code == 200 and response.location is None
        link = fresh.open(f"/q/{values['code']}", method="HEAD", data=mini_answers())
        assert link.status_code == 200
    assert snapshot(app) == before
    assert login(fresh, "root").status_code == 400  # no token: a post is refused as ever


def test_head_is_refused_where_reading_a_page_records_something(world):
    """A result page makes the day's comparison when first read; staff pages fold totals."""
    _, clients, values, result_token, _ = world
    for client, path in (
        (clients["anonymous"], f"/r/{result_token}"),
        (clients["anna"], f"/counselor/links/{values['link_id']}"),
        (clients["root"], "/admin/"),
    ):
        response = client.open(path, method="HEAD")
        assert response.status_code == 405
        assert "GET" in response.headers["Allow"] and "HEAD" not in response.headers["Allow"]
        assert client.get(path).status_code == 200
