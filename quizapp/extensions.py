"""Unbound extension objects, initialised in the app factory so nothing imports the app."""

import hashlib
import os

from flask import Flask, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from itsdangerous import URLSafeTimedSerializer

compress = Compress()
csrf = CSRFProtect()
login_manager = LoginManager()
# Counters live in memory (per worker) unless RATELIMIT_STORAGE_URI names a shared store such as
# Redis. Addresses, and keyed hashes of the usernames tried at sign-in (quizapp/auth/views.py),
# are used only as counter keys in that store and expire with them.
limiter = Limiter(get_remote_address, default_limits=[], headers_enabled=False)


@limiter.request_filter
def _reads_are_not_limited() -> bool:
    """Every limit is on a POST (submissions, sign-in): pages that are only read skip the
    limiter's look-ups, which were an eighth of the questionnaire page's time."""
    return request.method in ("GET", "HEAD", "OPTIONS")


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer made once per secret key.

    Flask makes a new serializer on every request, which costs about as much as the rest of a
    cached page (quizapp/quiz/page_cache.py); the cookies are the same either way.
    """

    def __init__(self) -> None:
        self._made: tuple[object, URLSafeTimedSerializer | None] = (None, None)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        secret, serializer = self._made
        if secret is not app.secret_key or serializer is None:
            serializer = super().get_signing_serializer(app)
            self._made = (app.secret_key, serializer)
        return serializer


_CSRF_SERIALIZERS: dict[object, URLSafeTimedSerializer] = {}


def csrf_token() -> str:
    """This request's signed CSRF token, made as Flask-WTF's ``generate_csrf`` makes it (the
    same session field, salt and format, so ``validate_csrf`` checks it as its own, and
    ``csrf_token()`` in templates returns the same one), with the signing serializer made once
    per secret key: on the questionnaire page that is a tenth of the request."""
    config = current_app.config
    field = config["WTF_CSRF_FIELD_NAME"]
    if field not in g:
        secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
        serializer = _CSRF_SERIALIZERS.get(secret)
        if serializer is None:
            serializer = URLSafeTimedSerializer(secret, salt="wtf-csrf-token")
            _CSRF_SERIALIZERS[secret] = serializer
        if field not in session:
            session[field] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 (as Flask-WTF)
        setattr(g, field, serializer.dumps(session[field]))
    return g.get(field)
