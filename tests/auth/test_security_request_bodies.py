"""Form endpoints take web forms only: JSON, files and unlabelled bodies get 415, store nothing."""

import io
import json
import re

import pytest
from sqlalchemy import func, select

from quizapp.storage import db
from quizapp.storage.models import QuizLink, StaffSession
from tests.conftest import PASSWORD, add_user, login, make_app, mini_answers

REFUSED = "That kind of request is not accepted"

JSON_BODIES = {
    "list": [1, 2],
    "string": "x",
    "number": 5,
    "null": None,
    "object": None,  # filled per endpoint below: the fields the form would take
}


def form_fields(path: str) -> dict[str, str]:
    """What the form at ``path`` takes, as a browser would send it."""
    if path == "/login":
        return {"username": "anna", "password": PASSWORD}
    if path == "/quiz":
        return mini_answers()
    return {"label": "Posted as JSON", "rubric_id": "mini"}


def bodies(path: str) -> dict[str, dict]:
    """Keyword arguments for client.post, one per shape of body that must be refused."""
    fields = form_fields(path)
    shapes = {
        f"json-{name}": {
            "data": json.dumps(fields if name == "object" else value),
            "content_type": "application/json",
        }
        for name, value in JSON_BODIES.items()
    }
    shapes["multipart-with-file"] = {
        "data": {**fields, "upload": (io.BytesIO(b"#!/bin/sh\n"), "run.sh")},
        "content_type": "multipart/form-data",
    }
    shapes["multipart-without-file"] = {"data": fields, "content_type": "multipart/form-data"}
    shapes["text-plain"] = {"data": "username=anna", "content_type": "text/plain"}
    shapes["no-content-type"] = {"data": b"username=anna&password=x"}
    return shapes


def stored(app) -> tuple[int, int, int]:
    """How many results, links and staff sessions the database holds."""
    from quizapp.storage.models import Result

    with app.app_context():
        session = db.session()
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (Result, QuizLink, StaffSession)
        )


@pytest.mark.parametrize("path", ["/login", "/quiz", "/counselor/links/new"])
def test_other_bodies_are_refused_and_nothing_is_stored(app, staff, path):
    client = staff["anna"] if path.startswith("/counselor") else app.test_client()
    before = stored(app)
    for shape, kwargs in bodies(path).items():
        response = client.post(path, **kwargs)
        page = response.get_data(as_text=True)
        assert response.status_code == 415, (shape, page[:300])
        assert REFUSED in page, shape
        assert "only what a web form on this site sends" in page
        assert "Traceback" not in page
        assert stored(app) == before, shape
    if path == "/login":
        assert client.get("/counselor/").status_code == 302  # the JSON sign-in did not count


def test_refused_with_a_valid_csrf_header_too(tmp_path, migrated_db):
    """The original report: JSON with the CSRF header got past CSRF and broke the form."""
    app = make_app(tmp_path, migrated_db, WTF_CSRF_ENABLED=True)
    add_user(app, "anna")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*\bvalue="([^"]+)"', page).group(1)
    for body in ([1, 2], "x", 5, {"username": "anna", "password": PASSWORD}):
        response = client.post("/login", json=body, headers={"X-CSRFToken": token})
        assert response.status_code == 415, body
    assert stored(app)[2] == 0
    form = client.post(
        "/login", data={"username": "anna", "password": PASSWORD, "csrf_token": token}
    )
    assert form.status_code == 302  # the web form itself still works


def test_web_forms_and_empty_posts_still_work(app, staff, count_results):
    add_user(app, "carol")
    assert login(app.test_client(), "carol").status_code == 302
    assert app.test_client().post("/quiz", data=mini_answers()).status_code == 303
    assert count_results() == 1
    charset = app.test_client().post(
        "/quiz",
        data="&".join(f"{k}={v}" for k, v in mini_answers().items()),
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
    )
    assert charset.status_code == 303
    assert staff["anna"].post("/logout").status_code == 302  # a button with no fields


def test_reading_is_untouched(client):
    response = client.get("/quiz", headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert client.head("/login").status_code == 200
    assert client.options("/quiz").status_code == 200


def test_unknown_addresses_and_methods_keep_their_answers(client):
    assert client.post("/nowhere", json=[1]).status_code == 404
    assert client.put("/quiz", json=[1]).status_code == 405


@pytest.mark.parametrize("path", ["/login", "/quiz"])
def test_a_nul_character_is_refused_with_400_on_either_database(app, client, path):
    response = client.post(path, data={"username": "\x00", "password": "x", "a1": "4\x00"})
    assert response.status_code == 400
    assert "no keyboard types (NUL)" in response.get_data(as_text=True)
