"""Error pages: every 4xx and 5xx gets a calm page in the app's layout (or JSON for .json URLs)."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

TITLES = {
    400: "This request could not be accepted",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That action is not allowed here",
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
    429: "There were too many attempts from your network in a short time. "
    "Please wait a minute and try again.",
    500: "Nothing you did caused this. Please try again in a moment.",
    503: "Our database is busy or out of reach for a moment, so nothing was stored or changed. "
    "Please try again in a minute.",
}
RETRY_AFTER_SECONDS = 30


READ_ONLY_SQLSTATES = {"25006"}  # PostgreSQL: read-only transaction (a replica, or a switch)


def unavailable(error: DBAPIError) -> bool:
    """Whether a database error means "try again soon" (unreachable, locked, read-only)."""
    if isinstance(
        error, OperationalError
    ):  # connection refused or lost, SQLite locked or read-only
        return True
    return getattr(error.orig, "sqlstate", None) in READ_ONLY_SQLSTATES


def _render(error: HTTPException):
    code = error.code or 500
    detail = DEFAULT_DETAIL.get(code, error.description)
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
        return _render(error)

    @app.errorhandler(DBAPIError)
    def database_unavailable(error: DBAPIError):
        """Unreachable, locked or read-only: a 503 with a retry hint; anything else stays a 500."""
        if not unavailable(error):
            raise error
        page, code = _render(ServiceUnavailable())
        return page, code, {"Retry-After": str(RETRY_AFTER_SECONDS)}
