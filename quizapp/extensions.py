"""Unbound extension objects, initialised in the app factory so nothing imports the app."""

from flask import Flask
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
