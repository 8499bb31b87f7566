"""quizapp: a self-assessment fit quiz for the Technical Project Manager role."""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path

from flask import Flask, request
from jinja2 import FileSystemBytecodeCache
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from . import config as config_module
from . import logs
from .assessment.rubric import RubricError, load_folder, load_versions
from .assessment.scoring import round_half_up
from .extensions import SignedCookieSessions, compress, csrf, limiter, login_manager
from .identity import is_staff_request, load_user
from .reporting.disclosure import count_range
from .storage import db


class StartupError(SystemExit):
    """The app cannot start; the message says why, in words (exit status 1, no traceback)."""


RUBRICS_DIR = Path(__file__).resolve().parent.parent / "rubrics"
REDIS_TIMEOUTS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}  # seconds


def create_app(config: dict | None = None) -> Flask:
    """Build the application; ``config`` overrides the defaults and the environment (tests)."""
    app = Flask(__name__, instance_relative_config=True)
    try:
        register_config(app, config)
        register_rubrics(app)
        register_proxy(app)
    except (config_module.ConfigError, RubricError) as exc:
        raise StartupError(f"quizapp cannot start. {exc}") from None
    register_extensions(app)
    register_blueprints(app)
    register_errors(app)
    register_request_guard(app)
    register_filters(app)
    register_template_cache(app)
    register_headers(app)
    register_commands(app)
    logs.install()
    return app


def register_config(app: Flask, overrides: dict | None) -> None:
    app.config.update(config_module.DEFAULTS)
    app.config.update(config_module.from_environment())
    app.config.update(overrides or {})
    app.config["SECRET_KEY"] = config_module.secret_key(app.config, app.instance_path)
    app.config["SQLALCHEMY_URL"] = config_module.database_url(app.config, app.instance_path)
    if str(app.config["RATELIMIT_STORAGE_URI"]).startswith(("redis://", "rediss://", "redis+")):
        # A shared store that stops answering holds a request up half a second at most; then
        # each worker counts on its own until the store is back (Flask-Limiter's fallback).
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", dict(REDIS_TIMEOUTS))
    if app.config["SESSION_COOKIE_SECURE"] is None:  # not set: HTTPS-only in production
        app.config["SESSION_COOKIE_SECURE"] = app.config["ENV"] == "production"
    # Flask-Login's "remember me" cookie (not offered today) follows the session cookie.
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config["SESSION_COOKIE_SECURE"])
    for name, minimum in (
        ("COHORT_MIN_SIZE", 3),
        ("STAFF_IDLE_MINUTES", 1),
        ("STAFF_MAX_HOURS", 1),
    ):
        if int(app.config[name]) < minimum:
            raise config_module.ConfigError(
                f"QUIZAPP_{name} must be at least {minimum}, not {app.config[name]}"
            )


def register_proxy(app: Flask) -> None:
    """Behind N trusted reverse proxies, take the client address from X-Forwarded-For (opt-in)."""
    count = int(app.config["PROXY_COUNT"])
    if count < 0:
        raise config_module.ConfigError(f"QUIZAPP_PROXY_COUNT must be 0 or more, not {count}")
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def register_rubrics(app: Flask) -> None:
    """Load and validate every rubric once; an invalid rubric stops the app with the reason."""
    folder = app.config["RUBRICS_DIR"] or RUBRICS_DIR
    rubrics = load_folder(folder)
    default = app.config["DEFAULT_RUBRIC"]
    if default not in rubrics:
        raise config_module.ConfigError(
            f"QUIZAPP_DEFAULT_RUBRIC is {default!r}, but the rubrics found are: "
            + ", ".join(sorted(rubrics))
        )
    app.extensions["quizapp.rubrics"] = rubrics
    app.extensions["quizapp.rubric_versions"] = load_versions(folder, rubrics)


def register_extensions(app: Flask) -> None:
    app.session_interface = SignedCookieSessions()
    compress.init_app(app)
    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"


class DatabaseInt(IntegerConverter):
    """Whole numbers in addresses that an id column can hold (PostgreSQL's integer, 32-bit): a
    larger one is a 404, as any unknown id, instead of an overflow inside the database driver."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseInt
    from .admin.views import bp as admin_bp
    from .auth.views import bp as auth_bp
    from .counselor.reports import bp as counselor_reports_bp
    from .counselor.views import bp as counselor_bp
    from .quiz.views import bp as quiz_bp

    app.register_blueprint(quiz_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(counselor_bp)
    app.register_blueprint(counselor_reports_bp)
    app.register_blueprint(admin_bp)


def register_errors(app: Flask) -> None:
    from .errors import register

    register(app)


def register_request_guard(app: Flask) -> None:
    from .request_guard import register

    register(app)


def register_filters(app: Flask) -> None:
    """Numbers formatted for people: 1,234 and 62%."""

    @app.template_filter("num")
    def num(value, digits: int = 0):
        if value is None:
            return "\u2013"
        return f"{round_half_up(value, digits):,.{digits}f}"

    @app.template_filter("whole")
    def whole(value):
        """Round half up to a whole number, the same way scores are rounded everywhere."""
        return None if value is None else int(round_half_up(value))

    app.jinja_env.globals["zip"] = zip

    @app.template_filter("coarse")
    def coarse(responses: int) -> str:
        """A link's response count as counselors see it: a range of one block (docs/privacy.md)."""
        return count_range(responses, app.config["COHORT_MIN_SIZE"])

    @app.template_filter("pct")
    def pct(value, digits: int = 0):
        return "\u2013" if value is None else f"{round_half_up(value * 100, digits):.{digits}f}%"


class KeptTemplates(FileSystemBytecodeCache):
    """Jinja's compiled templates kept on disk, so a new worker process loads each template's
    code instead of compiling it again: about half of the first page a worker shows (the admin
    dashboard's first view went from about 190 to 150 ms). Jinja checks each file against the
    template's source and its own version. A folder that cannot be written only means nothing is
    kept."""

    def dump_bytecode(self, bucket) -> None:
        with suppress(OSError):
            super().dump_bytecode(bucket)


def register_template_cache(app: Flask) -> None:
    """Keep compiled templates in ``<instance>/template-cache`` (git-ignored with the rest)."""
    folder = Path(app.instance_path) / "template-cache"
    with suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
    if folder.is_dir():
        app.jinja_env.bytecode_cache = KeptTemplates(str(folder))


SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    (
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
)


# Pages that are the same for every visitor: a browser may keep them (back and forward stay
# instant) but asks again before showing them anew. Any other page says nothing is stored.
PUBLIC_PAGES = frozenset({"quiz.landing"})


def cache_control(status: int) -> str | None:
    """The Cache-Control of a response whose view set none; None keeps Flask's own (static files).

    Staff pages show accounts and group figures, redirects may name a result, error pages may
    sit at a secret address (a used set-password link): none of them is kept in any cache or
    history. A missing static file is an error page like any other.
    """
    endpoint = request.endpoint
    if endpoint == "static" and status < 400:
        return None
    if endpoint in PUBLIC_PAGES and status < 300 and not is_staff_request():
        return "no-cache"
    return "no-store"


def register_headers(app: Flask) -> None:
    production = app.config["ENV"] == "production"

    @app.after_request
    def security_headers(response):
        if production:
            # Browsers then refuse plain HTTP to this host for a year, subdomains included.
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        headers = response.headers
        present = {name.lower() for name, _ in headers.items()}  # one pass over the headers
        if "cache-control" not in present:
            value = cache_control(response.status_code)
            if value:
                headers.add("Cache-Control", value)
        for name, value in SECURITY_HEADERS:
            if name.lower() not in present:
                headers.add(name, value)
        return response


def register_commands(app: Flask) -> None:
    from .cli import register

    register(app)
