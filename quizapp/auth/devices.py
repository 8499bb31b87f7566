"""Device cookies (OWASP's "Slow Down Online Guessing Attacks with Device Cookies"): a browser
that has signed in to an account before is told apart from everyone else, so a flood of wrong
passwords from elsewhere never locks the account's owner out of the browser they use.

The cookie is signed with the app's secret key (itsdangerous) and holds a random nonce, which
names this browser in its own attempt counter, and keyed hashes of the accounts signed in from it
(never a username). It opens nothing by itself: a password is still needed every time.
"""

from __future__ import annotations

import hmac
import secrets

from flask import current_app, g, request
from flask.wrappers import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..storage.users import normalise_username

COOKIE = "quizapp_device"
DAYS = 180
MAX_ACCOUNTS = 8  # accounts one browser is remembered for (the most recent ones)
PATH = "/login"  # the only page that reads it


def account_digest(username: str) -> str:
    """A keyed hash of a username as stored (case, width and spaces folded), never the name."""
    secret = current_app.secret_key.encode()
    name = normalise_username(username).encode()
    return hmac.new(secret, name, "sha256").hexdigest()[:32]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="quizapp device cookie")


def _read() -> dict | None:
    """This browser's device cookie, if it carries a valid signature and is not too old."""
    if "quizapp_device" not in g:
        raw = request.cookies.get(COOKIE)
        found = None
        if raw:
            try:
                found = _serializer().loads(raw, max_age=DAYS * 86400)
            except BadSignature:
                found = None
        if not (isinstance(found, dict) and isinstance(found.get("a"), list)):
            found = None
        g.quizapp_device = found
    return g.quizapp_device


def trusted_for(username: str) -> str | None:
    """This browser's nonce when it has signed in to ``username``'s account before, else None."""
    device = _read()
    if device is None or not username:
        return None
    return device.get("n") if account_digest(username) in device["a"] else None


def remember(response: Response, username: str) -> None:
    """After a successful sign-in: mark this browser as one the account has been used on."""
    device = _read() or {}
    digest = account_digest(username)
    accounts = [digest] + [a for a in device.get("a", []) if a != digest]
    value = {"n": device.get("n") or secrets.token_urlsafe(16), "a": accounts[:MAX_ACCOUNTS]}
    response.set_cookie(
        COOKIE,
        _serializer().dumps(value),
        max_age=DAYS * 86400,
        path=PATH,
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Lax",
    )
