"""Request bodies the app accepts: web forms only, so no JSON or upload reaches a form."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

FORM = "application/x-www-form-urlencoded"
# Methods that carry no body to act on; everything else must come from a web form.
BODILESS = frozenset({"GET", "HEAD", "OPTIONS"})


def refuse_other_bodies() -> None:
    """Answer 415 to a body that is not an ordinary web form.

    Flask-WTF reads a JSON body as the form (a list or a number then breaks it, an object skips
    the browser's shape), and multipart bodies can carry files: no page here uploads anything,
    so both are refused before any view or form sees them. An empty body (a button that posts
    nothing) is fine.
    """
    if request.method in BODILESS or request.url_rule is None:
        return  # let routing answer 404 or 405 as usual
    if request.mimetype == FORM:
        refuse_nul_characters()
        return
    has_body = bool(request.content_length or request.headers.get("Transfer-Encoding"))
    if not request.mimetype and not has_body:
        return
    raise UnsupportedMediaType()


def refuse_nul_characters() -> None:
    """A NUL character is never typed into a form, and PostgreSQL cannot store one: 400."""
    if any("\x00" in key or "\x00" in value for key, value in request.form.items(multi=True)):
        raise BadRequest(
            "The form contained a character no keyboard types (NUL), so nothing was stored."
        )


def register(app: Flask) -> None:
    app.before_request(refuse_other_bodies)
