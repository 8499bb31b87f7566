"""Error pages: every 4xx and 5xx gets a calm page in the app's layout (or JSON for .json URLs)."""

from __future__ import annotations

import math
import time

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import (
    HTTPException,
    MethodNotAllowed,
    ServiceUnavailable,
    TooManyRequests,
)

from .extensions import limiter

TITLES = {
    400: "This request could not be accepted",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That action is not allowed here",
    409: "This questionnaire was already sent",
    410: "This link is no longer open",
    413: "That request was too large",
    415: "That kind of request is not accepted",
    422: "Some answers need attention",
    429: "Too many attempts",
    500: "Something went wrong on our side",
    503: "The quiz is briefly unavailable",
}

DEFAULT_DETAIL = {
    404: "The address may be mistyped, or the link may have been removed.",
    413: "The form sent more data than a questionnaire ever needs, so it was not stored.",
    415: "This address takes only what a web form on this site sends (no JSON, no files), "
    "so nothing was stored. Please use the form on the page.",
    429: "There were too many attempts from your network in a short time.",
    500: "Nothing you did caused this. Please try again in a moment.",
    503: "Our database is busy or out of reach for a moment, so we could not confirm that "
    "anything was saved. Please wait a minute and try again: a questionnaire sent again is "
    "never stored twice, and for any other change, reload its page first to see if it was made.",
}
RETRY_AFTER_SECONDS = 30


def seconds_to_wait() -> int:
    """Seconds until the limit this request broke lets the next attempt through."""
    broken = limiter.current_limit
    if broken is None:
        return 60
    return max(1, math.ceil(broken.reset_at - time.time()))


def try_again_in(seconds: int) -> str:
    """When to try again, in words: "Please try again in about 40 minutes." """
    if seconds <= 90:
        return "Please try again in a minute."
    minutes = round(seconds / 60)
    if minutes <= 90:
        return f"Please try again in about {minutes} minutes."
    hours = round(minutes / 60)
    return f"Please try again in about {hours} {'hour' if hours == 1 else 'hours'}."


READ_ONLY_SQLSTATES = {"25006"}  # PostgreSQL: read-only transaction (a replica, or a switch)


def unavailable(error: DBAPIError) -> bool:
    """Whether a database error means "try again soon" (unreachable, locked, read-only)."""
    if isinstance(
        error, OperationalError
    ):  # connection refused or lost, SQLite locked or read-only
        return True
    return getattr(error.orig, "sqlstate", None) in READ_ONLY_SQLSTATES


def _render(error: HTTPException, detail: str | None = None):
    code = error.code or 500
    detail = detail or DEFAULT_DETAIL.get(code, error.description)
    if request.path.endswith(".json"):
        return jsonify(error=TITLES.get(code, error.name), detail=detail), code
    title = TITLES.get(code, error.name)
    return render_template("error.html", code=code, title=title, detail=detail), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        error.description = (
            "The form's security token was missing or did not match, so nothing was stored. "
            "This happens when a page has been open for a very long time or cookies are blocked. "
            "Please go back, reload the page and try again."
        )
        return _render(error)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        page, code = _render(error)
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            return page, code, {"Allow": ", ".join(error.valid_methods)}
        return page, code

    @app.errorhandler(TooManyRequests)
    def too_many(error: TooManyRequests):
        """Why the attempt was refused (each limit says it in words) and when to try again."""
        limit = getattr(error, "limit", None)
        reason = getattr(limit, "error_message", None) or DEFAULT_DETAIL[429]
        seconds = seconds_to_wait()
        page, code = _render(error, f"{reason} {try_again_in(seconds)}")
        return page, code, {"Retry-After": str(seconds)}

    @app.errorhandler(DBAPIError)
    def database_unavailable(error: DBAPIError):
        """Unreachable, locked or read-only: a 503 with a retry hint; anything else stays a 500."""
        if not unavailable(error):
            raise error
        return busy()

    @app.errorhandler(PoolTimeout)
    def no_connection_free(_error: PoolTimeout):
        """Every pooled connection busy for the pool's whole timeout: the same 503."""
        return busy()


def busy():
    page, code = _render(ServiceUnavailable())
    return page, code, {"Retry-After": str(RETRY_AFTER_SECONDS)}
