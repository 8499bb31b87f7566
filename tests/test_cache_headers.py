"""Every page that is not a static file says how it may be cached: error pages, redirects and
anything personal are never stored; static files keep Flask's own caching."""

from __future__ import annotations

import pytest
from flask import url_for

from quizapp.storage import db
from quizapp.storage.users import find_user
from tests.auth.test_security_passwords import choose, new_account_link
from tests.conftest import add_link, mini_answers

CALLERS = ("anonymous", "anna", "root")


def every_get_path(app) -> dict[str, str]:
    """One path per GET rule of the URL map, with values that exist (a link, a result, a user)."""
    link_id, code = add_link(app, owner="anna")
    made = app.test_client().post(f"/q/{code}", data=mini_answers())
    with app.app_context():
        ben = find_user(db.session(), "ben").id
    values = {
        "filename": "app.css",
        "rubric_id": "mini",
        "code": code,
        "token": made.location.rsplit("/", 1)[1],
        "link_id": link_id,
        "user_id": ben,
        "name": "results",
        "fmt": "csv",
    }
    paths = {}
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" in rule.methods:
                arguments = {name: values[name] for name in rule.arguments}
                paths[rule.endpoint] = url_for(rule.endpoint, **arguments)
    return paths


@pytest.mark.parametrize("caller", CALLERS)
def test_every_page_says_how_it_may_be_cached(app, staff, caller):
    client = app.test_client() if caller == "anonymous" else staff[caller]
    for endpoint, path in every_get_path(app).items():
        response = client.get(path)
        cache_control = response.headers.get("Cache-Control")
        if endpoint == "static":
            assert response.status_code == 200
            assert "no-store" not in (cache_control or ""), path
        elif endpoint == "quiz.landing" and caller == "anonymous":
            assert cache_control == "no-cache"  # the same page for everyone, checked before reuse
        else:
            assert cache_control == "no-store", (caller, path, response.status_code)


def test_a_redirect_to_a_new_result_is_never_stored(app, client):
    response = client.post("/quiz", data=mini_answers())
    assert response.status_code == 303
    assert response.location.startswith("/r/")
    assert response.headers.get("Cache-Control") == "no-store"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/no-such-page", 404),
        ("GET", "/r/no-such-result", 404),
        ("GET", "/r/no-such-result.json", 404),
        ("GET", "/static/no-such-file.css", 404),
        ("PUT", "/quiz", 405),
        ("POST", "/", 405),
        ("GET", "/?x=%00", 400),
    ],
)
def test_error_pages_are_never_stored(client, method, path, status):
    response = client.open(path, method=method)
    assert response.status_code == status
    assert response.headers.get("Cache-Control") == "no-store"


def test_a_used_set_password_link_s_page_is_never_stored(app, staff):
    path = new_account_link(staff, "dana", "counselor")
    assert choose(app, path, "a sound passphrase 73").status_code == 303
    response = app.test_client().get(path)
    assert response.status_code == 410
    assert "This link is no longer open" in response.get_data(as_text=True)
    assert response.headers.get("Cache-Control") == "no-store"


def test_a_page_s_own_cache_control_is_kept(staff):
    response = staff["root"].get("/admin/export/summary.json")
    assert response.headers.getlist("Cache-Control") == ["no-store"]


@pytest.mark.parametrize("caller", ["anonymous", "anna"])
def test_static_files_keep_flask_s_own_caching(app, staff, caller):
    client = app.test_client() if caller == "anonymous" else staff[caller]
    first = client.get("/static/app.css")
    assert first.headers.getlist("Cache-Control") == ["no-cache"]  # kept, checked by its ETag
    again = client.get("/static/app.css", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers.getlist("Cache-Control") == ["no-cache"]
