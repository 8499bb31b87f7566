"""Signed tokens and session cookies: short payloads are signed without the zlib attempt, and
stay readable by itsdangerous (and Flask-WTF) exactly as before."""

from __future__ import annotations

import re

import pytest
from flask import session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import validate_csrf
from itsdangerous import URLSafeTimedSerializer
from wtforms.validators import ValidationError

from quizapp.extensions import ShortTokens

KEY, SALT = "a-secret-key-for-the-test", "some-salt"


def test_short_payloads_are_plain_and_read_by_itsdangerous_as_before():
    ours, stock = ShortTokens(KEY, salt=SALT), URLSafeTimedSerializer(KEY, salt=SALT)
    short = {"csrf_token": "0123456789abcdef" * 2}
    token = ours.dumps(short)
    assert not token.startswith(".")  # "." marks a compressed payload
    assert stock.loads(token) == short
    assert ours.loads(stock.dumps(short)) == short
    long = {"notes": ["the same words again"] * 30}  # compresses well
    token = ours.dumps(long)
    assert token.startswith(".") and stock.loads(token) == long
    assert len(token) == len(stock.dumps(long))  # the same bytes but for the time


def test_the_questionnaire_token_and_session_read_as_flask_and_flask_wtf_read_them(app):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/quiz").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    cookie = client.get_cookie("session").value
    assert not cookie.startswith(".")
    stock = SecureCookieSessionInterface().get_signing_serializer(app)  # Flask's own
    session_data = stock.loads(cookie)
    assert "csrf_token" in session_data
    with app.test_request_context():
        session.update(session_data)
        validate_csrf(token)  # Flask-WTF's own check: raises ValidationError otherwise
        session["csrf_token"] = "0" * 40  # another session's token: refused
        with pytest.raises(ValidationError):
            validate_csrf(token)
