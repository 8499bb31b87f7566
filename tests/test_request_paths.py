"""Odd addresses: a NUL in the path is a 404 and in the query string a 400, on either database,
and no text in a route's string variables, or in the query string, gives a 500."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import add_link, mini_answers
from tests.test_properties import SETTINGS

NOT_FOUND = "Page not found"
REFUSED = "This request could not be accepted"

NUL_PATHS = [
    "/r/abc%00def",
    "/r/abc%00def.json",
    "/q/abc%00def",
    "/quiz/abc%00def",
    "/account/set-password/abc%00def",
    "/admin/export/results%00.csv",
    "/static/app.css%00",
]


def result_token(app, code: str) -> str:
    """Take the quiz through a link and return the new result's token."""
    response = app.test_client().post(f"/q/{code}", data=mini_answers())
    assert response.status_code == 303
    return response.location.rsplit("/", 1)[1]


@pytest.mark.parametrize("caller", ["anonymous", "root"])
@pytest.mark.parametrize("path", NUL_PATHS)
def test_a_nul_in_the_path_is_not_found(app, staff, caller, path):
    client = app.test_client() if caller == "anonymous" else staff[caller]
    response = client.get(path)
    assert response.status_code == 404
    if path.endswith(".json"):
        assert response.get_json()["error"] == NOT_FOUND
    else:
        assert NOT_FOUND in response.get_data(as_text=True)


def test_a_nul_after_a_real_token_or_code_finds_nothing_and_stores_nothing(
    app, staff, count_results
):
    _, code = add_link(app, max_responses=50)
    token = result_token(app, code)
    client = app.test_client()
    assert client.get(f"/r/{token}").status_code == 200
    assert client.get(f"/r/{token}%00").status_code == 404
    assert client.get(f"/r/{token}%00.json").status_code == 404
    assert client.get(f"/q/{code}%00").status_code == 404
    before = count_results()
    response = client.post(f"/q/{code}%00", data=mini_answers())
    assert response.status_code == 404
    assert NOT_FOUND in response.get_data(as_text=True)
    assert count_results() == before


@pytest.mark.parametrize(
    "path",
    ["/?x=%00", "/login?next=%00", "/admin/?rubric=%00", "/counselor/compare?a=1&b=%00"],
)
def test_a_nul_in_the_query_string_is_refused(staff, path):
    response = staff["root"].get(path)
    assert response.status_code == 400
    assert REFUSED in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["rubric=\x00", "rubric=\xff", "rubric=caf\xc3"])
def test_raw_bytes_a_server_may_pass_in_the_query_string_are_refused(staff, query):
    """A raw NUL, or bytes that are not UTF-8 (which Werkzeug's ``args`` cannot decode): 400."""
    response = staff["root"].get("/admin/", environ_overrides={"QUERY_STRING": query})
    assert response.status_code == 400
    assert REFUSED in response.get_data(as_text=True)


def test_ordinary_queries_are_read_as_before(staff):
    """Escaped text, and raw UTF-8 from a lax client, still reach the page's filters."""
    page = staff["root"].get("/admin/?rubric=mini%400.1&since=2026-01-01").get_data(as_text=True)
    assert 'name="since" type="date" value="2026-01-01"' in page
    response = staff["root"].get("/admin/", environ_overrides={"QUERY_STRING": "since=caf\xc3\xa9"})
    assert response.status_code == 200
    assert 'value="café"' in response.get_data(as_text=True)  # shown back as a wrong date


# --- arbitrary text in every variable part (hypothesis) ----------------------------------------

VARIABLE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
STRING_CONVERTERS = {"", "default", "string", "path"}  # "" is the default: string

ODD_TEXT = st.one_of(
    st.text(max_size=30),  # any code point but surrogates, NUL among them
    st.text(
        st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF) | st.sampled_from("\x00/.%?#;"),
        max_size=10,
    ),
    st.sampled_from(["\x00", "abc\x00def", "\ud800", "\ufffd", "..", "%00", "\x00.json"]),
)
# What a client can put on the wire: text as UTF-8 (lone surrogates too), or any bytes at all.
ODD_SEGMENT = st.one_of(
    ODD_TEXT.map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.binary(max_size=20),
)


def string_rules(app) -> list[str]:
    """Every rule of the URL map with a variable that takes text (string or path)."""
    rules = sorted({rule.rule for rule in app.url_map.iter_rules()})
    return [
        rule for rule in rules if any(m[0] in STRING_CONVERTERS for m in VARIABLE.findall(rule))
    ]


def test_every_string_rule_is_walked(app):
    assert set(string_rules(app)) >= {
        "/r/<token>",
        "/r/<token>.json",
        "/q/<code>",
        "/quiz/<rubric_id>",
        "/account/set-password/<token>",
        "/admin/export/<name>.<fmt>",
        "/static/<path:filename>",
    }


def check_rule(rule: str, clients: dict, real: list[str]) -> None:
    """Fill each variable of ``rule`` with a real value and odd bytes; GET and POST it."""

    @settings(SETTINGS, max_examples=100)
    @given(
        st.lists(st.tuples(st.sampled_from(real), ODD_SEGMENT), min_size=2, max_size=2),
        st.sampled_from(["GET", "POST"]),
        st.sampled_from(sorted(clients)),
    )
    def run(values, method, caller):
        parts = iter(values)

        def fill(_variable):
            start, odd = next(parts)
            return quote(start.encode() + odd, safe="")

        path = VARIABLE.sub(fill, rule)
        response = clients[caller].open(path, method=method, data=mini_answers())
        assert response.status_code < 500, (path, response.get_data(as_text=True)[:300])

    run()


def test_arbitrary_text_in_every_path_variable(app, staff):
    _, code = add_link(app, max_responses=50)
    # Real values to start from, so that odd text after a real token or code is tried too.
    real = ["", code, result_token(app, code), "mini", "results", "csv", "app.css"]
    clients = {"anonymous": app.test_client(), "root": staff["root"]}
    for rule in string_rules(app):
        check_rule(rule, clients, real)


def test_arbitrary_query_strings(app, staff):
    """Raw bytes as a lax server may pass them, on the pages that read their query string."""
    pages = ["/", "/login", "/admin/", "/admin/export/results.csv", "/counselor/compare"]

    @SETTINGS
    @given(
        st.sampled_from(pages),
        st.one_of(
            ODD_TEXT.map(lambda text: quote(text.encode("utf-8", "surrogatepass"), safe="=&")),
            st.binary(max_size=30).map(lambda raw: raw.decode("latin-1")),
        ),
    )
    def run(page, query):
        response = staff["root"].get(page, environ_overrides={"QUERY_STRING": query})
        assert response.status_code < 500, (page, query)

    run()


def test_an_id_too_large_for_the_database_is_not_found(app, staff):
    """An id column holds up to 2^31 - 1: a larger id is a 404, not an overflow in the driver."""
    for path in (
        "/counselor/links/199999999999999999999",
        "/admin/users/9223372036854775808/remove",
        "/counselor/links/2147483648",
        "/counselor/links/2147483647",  # the largest id there could be: looked up, not found
    ):
        assert staff["root"].get(path).status_code == 404, path


def test_no_free_database_connection_is_a_503(app, client, monkeypatch):
    """Every pooled connection busy past the pool's timeout: "try again", not a 500."""
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    def exhausted(*args, **kwargs):
        raise PoolTimeout("QueuePool limit of size 5 overflow 10 reached")

    monkeypatch.setattr("quizapp.quiz.views.find_result", exhausted)
    response = client.get("/r/" + "a" * 32)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "briefly unavailable" in response.get_data(as_text=True)
