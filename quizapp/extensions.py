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
from itsdangerous.encoding import base64_encode
from itsdangerous.url_safe import URLSafeSerializerMixin

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


class ShortTokens(URLSafeTimedSerializer):
    """itsdangerous's URL-safe timed serializer, which tries zlib on every payload: for a short
    one (a CSRF token, an anonymous visitor's session) that attempt never shrinks it and costs
    half of signing. Short payloads skip it; what comes out is what itsdangerous writes for any
    payload that did not compress, so every loader reads it as before."""

    SHORT = 200  # bytes of JSON

    def dump_payload(self, obj) -> bytes:
        plain = super(URLSafeSerializerMixin, self).dump_payload(obj)  # the JSON, as bytes
        if len(plain) >= self.SHORT:
            return super().dump_payload(obj)
        return base64_encode(plain)


def short_tokens(made: URLSafeTimedSerializer) -> ShortTokens:
    """The same serializer (keys, salt, signer, JSON flavour), with short payloads signed plain."""
    return ShortTokens(
        made.secret_keys,
        salt=made.salt,
        serializer=made.serializer,
        serializer_kwargs=made.serializer_kwargs,
        signer=made.signer,
        signer_kwargs=made.signer_kwargs,
        fallback_signers=made.fallback_signers,
    )


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
            serializer = short_tokens(serializer) if serializer is not None else None
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
            serializer = ShortTokens(secret, salt="wtf-csrf-token")
            _CSRF_SERIALIZERS[secret] = serializer
        if field not in session:
            session[field] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 (as Flask-WTF)
        setattr(g, field, serializer.dumps(session[field]))
    return g.get(field)
