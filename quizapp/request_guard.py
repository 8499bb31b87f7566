"""What a request may carry: addresses with no NUL in them, and web forms only as bodies, so no
JSON or upload reaches a form and no database is asked to store a character it refuses."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Flask, request
from flask.wrappers import Request
from werkzeug.exceptions import BadRequest, MethodNotAllowed, NotFound, UnsupportedMediaType
from werkzeug.formparser import FormDataParser

FORM = "application/x-www-form-urlencoded"
# Methods that carry no body to act on; everything else must come from a web form.
BODILESS = frozenset({"GET", "HEAD", "OPTIONS"})


class WebFormParser(FormDataParser):
    """Werkzeug's form parser, with a shortcut for a web form's body in which nothing is
    escaped (no ``%`` and no ``+``), such as every questionnaire a browser posts: its fields
    are split as ``urllib.parse.parse_qsl`` splits them, without unquoting each name and value,
    which was most of the time of reading a questionnaire. Any other body goes the usual way."""

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        text = stream.read().decode()  # not UTF-8: a ValueError, an empty form as before
        if "%" in text or "+" in text:
            items = parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote")
        else:
            items = [pair.partition("=")[::2] for pair in text.split("&") if pair]
        return stream, self.cls(items), self.cls()


class WebRequest(Request):
    form_data_parser_class = WebFormParser


def refuse_unreadable_addresses() -> None:
    """A NUL in the path is a 404, in the query string a 400: never a database error.

    PostgreSQL refuses NUL in text (SQLite takes it), and a path's variable part (a result
    token, a link code) is looked up as it comes. NUL is the only character that can get that
    far: Werkzeug decodes the path with replacement characters, so it never holds a lone
    surrogate or bytes that are not UTF-8. The query string is looked at as bytes: a NUL in it
    is ``%00`` (or raw, from a lax server), and raw bytes that are not UTF-8 (which gunicorn
    refuses, but another server may pass on) would make ``request.args`` raise.
    """
    if "\x00" in request.path:
        raise NotFound()
    query = request.query_string
    if query and (b"%00" in query or b"\x00" in query or not is_ascii_or_utf8(query)):
        raise BadRequest(
            "The address contained characters that are not text (a NUL, or bytes that are not "
            "UTF-8), so it was not followed."
        )


def is_ascii_or_utf8(data: bytes) -> bool:
    """Whether bytes decode as UTF-8; ASCII, as every browser sends a query, is checked fastest."""
    if data.isascii():
        return True
    try:
        data.decode()
    except UnicodeDecodeError:
        return False
    return True


# Pages whose GET view writes nothing, which HEAD may run too (Flask answers HEAD with the GET
# view and drops the body). Every other page with a GET records something when it is read (the
# day's comparison on a result page; running totals and group figures on staff pages), so HEAD
# gets 405 there: only POST writes. A new page is refused HEAD until it is listed here.
HEAD_SAFE = frozenset(
    {
        "static",
        "quiz.landing",
        "quiz.take_default",
        "quiz.take_rubric",
        "quiz.take_link",
        "quiz.result_json",
        "auth.login",
        "auth.set_password",
    }
)


def refuse_head_where_reading_writes() -> None:
    """405 for HEAD on a page whose GET view stores something (see HEAD_SAFE)."""
    if request.method == "HEAD" and request.url_rule and request.endpoint not in HEAD_SAFE:
        raise MethodNotAllowed(sorted(request.url_rule.methods - {"HEAD"}))


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
    """A NUL character is never typed into a form, and PostgreSQL cannot store one: 400.

    Read off the body before it is parsed (the form is then parsed from the same bytes): a
    name or value holds a NUL exactly when the body has a raw NUL byte or ``%00`` in it, which
    always decodes to one. One look at the bytes instead of one at every field.
    """
    body = request.get_data(cache=True)
    if b"\x00" in body or b"%00" in body:
        raise BadRequest(
            "The form contained a character no keyboard types (NUL), so nothing was stored."
        )


def register(app: Flask) -> None:
    app.request_class = WebRequest
    app.before_request(refuse_unreadable_addresses)
    app.before_request(refuse_head_where_reading_writes)
    app.before_request(refuse_other_bodies)
