"""Configuration defaults and reading them from the environment (prefix ``QUIZAPP_``)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PREFIX = "QUIZAPP_"

DEFAULTS: dict[str, object] = {
    "ENV": "development",
    "DATABASE_URL": None,  # None: SQLite in the instance folder
    "RUBRICS_DIR": None,  # None: the rubrics/ folder beside the package
    "DEFAULT_RUBRIC": "technical-project-manager",
    "MAX_CONTENT_LENGTH": 64 * 1024,  # a full questionnaire is about 2 KB
    "COHORT_MIN_SIZE": 5,
    "PROXY_COUNT": 0,  # reverse proxies in front of the app whose X-Forwarded-For is trusted
    "COMPARE_MIN_RESULTS": 30,
    "RETENTION_DAYS": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": None,  # None: Secure in production, as the app factory decides
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # The token lives as long as the session; a slow reader is not punished.
    "WTF_CSRF_TIME_LIMIT": None,
    # Stated for every app: Flask-Limiter's object is shared, and would otherwise carry the
    # previous app's setting over to the next one.
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    # A shared store (Redis) out of reach: each worker counts on its own until it is back.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "LOGIN_RATE_LIMIT": "10 per minute; 100 per day",  # per client address
    # Sign-in attempts to one account from browsers that have not signed in to it before.
    "LOGIN_ACCOUNT_RATE_LIMIT": "20 per hour",
    # Sign-in attempts to one account from one browser that has (its device cookie).
    "LOGIN_DEVICE_RATE_LIMIT": "10 per hour",
    "SUBMIT_RATE_LIMIT": "120 per minute",  # a whole class behind one school address
    # A questionnaire page sent again (Back, a reload) leads to its result for this long, and
    # only in the browser it was shown in; later it says the page was already sent.
    "SUBMISSION_KEY_MINUTES": 60,
    "STAFF_IDLE_MINUTES": 60,  # a staff session unused this long has ended
    "STAFF_MAX_HOURS": 12,  # and any staff session ends this long after sign-in
    "SET_PASSWORD_HOURS": 72,  # a set-password link for a staff account works this long, once
    # The address people reach the app at (https://quiz.example.org), for links printed by the
    # command line and shown to admins; None: the address of the request.
    "BASE_URL": None,
    # Pages, styles and scripts go out compressed to browsers that accept it (Flask-Compress).
    # Streamed downloads (exports) are left as they are, so memory stays flat however long.
    "COMPRESS_STREAMS": False,
    "COMPRESS_ALGORITHM": ["br", "gzip"],
}

# Names read from the environment, with the parser for each.
_INT = {
    "MAX_CONTENT_LENGTH",
    "COHORT_MIN_SIZE",
    "COMPARE_MIN_RESULTS",
    "RETENTION_DAYS",
    "STAFF_IDLE_MINUTES",
    "STAFF_MAX_HOURS",
    "SET_PASSWORD_HOURS",
    "PROXY_COUNT",
    "SUBMISSION_KEY_MINUTES",
}
_BOOL = {"SESSION_COOKIE_SECURE", "RATELIMIT_ENABLED"}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_STR = {
    "ENV",
    "DATABASE_URL",
    "RUBRICS_DIR",
    "DEFAULT_RUBRIC",
    "SECRET_KEY",
    "RATELIMIT_STORAGE_URI",
    "LOGIN_RATE_LIMIT",
    "LOGIN_ACCOUNT_RATE_LIMIT",
    "LOGIN_DEVICE_RATE_LIMIT",
    "SUBMIT_RATE_LIMIT",
    "BASE_URL",
}


class ConfigError(RuntimeError):
    """Raised when the configuration cannot be used; the message says how to fix it."""


def from_environment(environ: os._Environ | dict[str, str] | None = None) -> dict[str, object]:
    """Return the settings found in the environment, parsed to their types."""
    environ = os.environ if environ is None else environ
    found: dict[str, object] = {}
    for name in _INT | _BOOL | _STR:
        raw = environ.get(PREFIX + name)
        if raw is None or raw == "":
            continue
        if name in _INT:
            try:
                found[name] = int(raw)
            except ValueError as exc:
                raise ConfigError(f"{PREFIX}{name} must be a whole number, not {raw!r}") from exc
        elif name in _BOOL:
            word = raw.strip().lower()
            if word not in _TRUE | _FALSE:
                raise ConfigError(f"{PREFIX}{name} must be true or false, not {raw!r}")
            found[name] = word in _TRUE
        else:
            found[name] = raw
    # DATABASE_URL is conventionally unprefixed too (Heroku, Render, docker-compose files).
    if "DATABASE_URL" not in found and environ.get("DATABASE_URL"):
        found["DATABASE_URL"] = environ["DATABASE_URL"]
    return found


def secret_key(config: dict, instance_path: str) -> str:
    """Return the secret key: from config, else (outside production) one kept in the instance folder."""
    key = config.get("SECRET_KEY")
    if key:
        return str(key)
    if config.get("ENV") == "production":
        raise ConfigError(
            f"{PREFIX}SECRET_KEY is not set. In production the secret key must come from the "
            f"environment, for example: export {PREFIX}SECRET_KEY=$(python -c "
            "'import secrets; print(secrets.token_hex(32))')"
        )
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def database_url(config: dict, instance_path: str) -> str:
    """Return the SQLAlchemy URL: the configured one, else SQLite in the instance folder."""
    url = config.get("DATABASE_URL")
    if url:
        url = str(url)
        # Accept the common postgres:// spelling and use the psycopg 3 driver.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://") :]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(instance_path) / 'quizapp.sqlite'}"
