"""Production cookies and HSTS, and staff pages kept out of every cache."""

import pytest
from flask_login import login_user

from quizapp.config import ConfigError, from_environment
from quizapp.identity import StaffUser
from quizapp.storage import db
from quizapp.storage.users import find_user
from tests.conftest import add_user, login, make_app

HSTS = "max-age=31536000; includeSubDomains"


def set_cookie(response, name: str) -> dict[str, str]:
    """The attributes of the cookie ``name`` that a response sets, keyed in lower case."""
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    parts = [p.strip() for p in header.split(";")[1:]]
    return {k.lower(): v for k, _, v in (p.partition("=") for p in parts)}


def signed_in_cookie(app) -> dict[str, str]:
    add_user(app, "anna")
    response = login(app.test_client(), "anna")
    assert response.status_code == 302
    return set_cookie(response, "session")


def test_production_marks_the_session_cookie_secure(tmp_path, migrated_db):
    cookie = signed_in_cookie(make_app(tmp_path, migrated_db, ENV="production"))
    assert "secure" in cookie
    assert "httponly" in cookie
    assert cookie["samesite"] == "Lax"


def test_production_from_the_environment_marks_it_secure_too(tmp_path, migrated_db, monkeypatch):
    monkeypatch.setenv("QUIZAPP_ENV", "production")
    app = make_app(tmp_path, migrated_db)
    assert app.config["ENV"] == "production"
    assert "secure" in signed_in_cookie(app)


def test_an_explicit_false_turns_it_off_in_production(tmp_path, migrated_db, monkeypatch):
    monkeypatch.setenv("QUIZAPP_SESSION_COOKIE_SECURE", "false")
    app = make_app(tmp_path, migrated_db, ENV="production")
    assert "secure" not in signed_in_cookie(app)


def test_development_cookies_work_over_plain_http(app):
    assert "secure" not in signed_in_cookie(app)


def test_not_set_and_false_are_different_settings():
    assert from_environment({}) == {}
    assert from_environment({"QUIZAPP_SESSION_COOKIE_SECURE": "false"}) == {
        "SESSION_COOKIE_SECURE": False
    }
    assert from_environment({"QUIZAPP_SESSION_COOKIE_SECURE": "On"}) == {
        "SESSION_COOKIE_SECURE": True
    }
    with pytest.raises(ConfigError, match="must be true or false, not 'ture'"):
        from_environment({"QUIZAPP_SESSION_COOKIE_SECURE": "ture"})


def test_production_remember_cookie_is_secure_if_one_is_ever_set(tmp_path, migrated_db):
    app = make_app(tmp_path, migrated_db, ENV="production")
    add_user(app, "anna")
    with app.test_request_context("/login", method="POST"):
        login_user(StaffUser(find_user(db.session(), "anna"), "some-key"), remember=True)
        response = app.process_response(app.response_class("signed in"))
    assert "secure" in set_cookie(response, "remember_token")


def test_production_sends_hsts_on_every_page(tmp_path, migrated_db):
    client = make_app(tmp_path, migrated_db, ENV="production").test_client()
    for path in ("/", "/login", "/static/app.css", "/no-such-page"):
        assert client.get(path).headers["Strict-Transport-Security"] == HSTS, path


def test_development_sends_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


@pytest.mark.parametrize(
    ("caller", "method", "path"),
    [
        ("anonymous", "GET", "/login"),
        ("anonymous", "GET", "/counselor/"),  # the redirect to sign in
        ("anonymous", "POST", "/logout"),
        ("anna", "GET", "/counselor/"),
        ("anna", "GET", "/counselor/links/new"),
        ("anna", "GET", "/"),  # a public page, but the response goes to a signed-in counselor
        ("anna", "GET", "/admin/"),  # 403
        ("root", "GET", "/admin/"),
        ("root", "GET", "/admin/users"),
    ],
)
def test_staff_pages_are_never_stored(app, staff, caller, method, path):
    client = app.test_client() if caller == "anonymous" else staff[caller]
    response = client.open(path, method=method)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"  # the other headers are still there


def test_public_pages_and_static_files_keep_their_caching(client, staff):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    assert "no-store" not in staff["anna"].get("/static/app.css").headers.get("Cache-Control", "")


def test_a_cache_control_set_by_the_page_is_kept(app, staff):
    response = staff["root"].get("/admin/export/summary.json")
    assert response.headers.getlist("Cache-Control") == ["no-store"]
