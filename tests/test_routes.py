"""Every route of the app against four callers: anonymous, counselor A, counselor B, admin.

A new route fails test_every_route_is_in_the_matrix until its expected outcomes are written here.
"""

import pytest

from tests.conftest import add_link, mini_answers

CALLERS = ("anonymous", "anna", "ben", "root")
LOGIN = "login"  # a redirect to /login?next=...
PUBLIC = dict.fromkeys(CALLERS, 200)
STAFF_OWN = {"anonymous": LOGIN, "anna": 200, "ben": 404, "root": 200}
STAFF_ANY = {"anonymous": LOGIN, "anna": 200, "ben": 200, "root": 200}
ADMIN = {"anonymous": LOGIN, "anna": 403, "ben": 403, "root": 200}

# endpoint: (method, path template, form data, expected outcome per caller)
MATRIX = {
    "static": ("GET", "/static/app.css", None, PUBLIC),
    "quiz.landing": ("GET", "/", None, PUBLIC),
    "quiz.take_default": ("GET", "/quiz", None, PUBLIC),
    "quiz.submit_default": ("POST", "/quiz", mini_answers(), dict.fromkeys(CALLERS, 303)),
    "quiz.take_rubric": ("GET", "/quiz/mini", None, PUBLIC),
    "quiz.submit_rubric": ("POST", "/quiz/mini", mini_answers(), dict.fromkeys(CALLERS, 303)),
    "quiz.take_link": ("GET", "/q/{code}", None, PUBLIC),
    "quiz.submit_link": ("POST", "/q/{code}", mini_answers(), dict.fromkeys(CALLERS, 303)),
    "quiz.result": ("GET", "/r/{token}", None, PUBLIC),
    "quiz.result_json": ("GET", "/r/{token}.json", None, PUBLIC),
    "auth.login": ("GET", "/login", None, {"anonymous": 200, "anna": 302, "ben": 302, "root": 302}),
    "auth.logout": ("POST", "/logout", {}, dict.fromkeys(CALLERS, 302)),
    "auth.set_password": (
        "GET",
        "/account/set-password/no-such-token",
        None,
        dict.fromkeys(CALLERS, 410),
    ),
    "counselor.dashboard": ("GET", "/counselor/", None, STAFF_ANY),
    "counselor.new_link": ("GET", "/counselor/links/new", None, STAFF_ANY),
    "counselor.link": ("GET", "/counselor/links/{link}", None, STAFF_OWN),
    "counselor.toggle": (
        "POST",
        "/counselor/links/{link}/active",
        {},
        {**STAFF_OWN, "anna": 303, "root": 303},
    ),
    "counselor.edit_link": ("GET", "/counselor/links/{link}/edit", None, STAFF_OWN),
    "counselor.archive": (
        "POST",
        "/counselor/links/{link}/archive",
        {},
        {**STAFF_OWN, "anna": 303, "root": 303},
    ),
    "counselor.qr_code": ("GET", "/counselor/links/{link}/qr.svg", None, STAFF_OWN),
    "counselor.cohort_csv": ("GET", "/counselor/links/{link}/cohort.csv", None, STAFF_OWN),
    "counselor_reports.group_report": ("GET", "/counselor/links/{link}/report", None, STAFF_OWN),
    "counselor_reports.compare": ("GET", "/counselor/compare?a={link}", None, STAFF_OWN),
    "admin.dashboard": ("GET", "/admin/", None, ADMIN),
    "admin.quality": ("GET", "/admin/quality", None, ADMIN),
    "admin.users": ("GET", "/admin/users", None, ADMIN),
    # The codebook: results and summaries of fewer than k results are refused (403) to admins too.
    "admin.export": ("GET", "/admin/export/codebook.csv", None, ADMIN),
    "admin.toggle_user": ("POST", "/admin/users/{ben}/active", {}, {**ADMIN, "root": 303}),
    "admin.reset_password": (
        "POST",
        "/admin/users/{ben}/password",
        {"password": "another long one"},
        {**ADMIN, "root": 200},  # the page with the new link
    ),
    "admin.change_role": (
        "POST",
        "/admin/users/{ben}/role",
        {"role": "admin"},
        {**ADMIN, "root": 303},
    ),
    "admin.remove": ("GET", "/admin/users/{ben}/remove", None, ADMIN),
}


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(MATRIX)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", MATRIX)
def test_route_access(app, staff, caller, endpoint):
    method, template, data, expected = MATRIX[endpoint]
    link_id, code = add_link(app, owner="anna")
    token = app.test_client().post(f"/q/{code}", data=mini_answers()).location.rsplit("/", 1)[1]
    client = app.test_client() if caller == "anonymous" else staff[caller]
    with app.app_context():
        from quizapp.storage import db
        from quizapp.storage.users import find_user

        ben = find_user(db.session(), "ben").id
    path = template.format(link=link_id, code=code, token=token, ben=ben)
    response = client.open(path, method=method, data=data)
    want = expected[caller]
    if want == LOGIN:
        assert response.status_code == 302
        assert response.location.startswith("/login?next=")
    else:
        assert response.status_code == want, response.get_data(as_text=True)[:300]
