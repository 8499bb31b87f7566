"""The accounts pages never lose the last admin who can sign in (active, with a password)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import update

from quizapp.storage import db
from quizapp.storage.models import User
from quizapp.storage.users import UserError, find_user, set_role
from tests.conftest import ON_POSTGRES, add_user, role_of, user_id

CONFIRMED = {"role": "counselor", "confirm": "yes"}
ONLY_ROOT = "&#39;root&#39; is the only admin who can sign in"


def disable(app, name: str) -> None:
    with app.app_context():
        session = db.session()
        session.execute(update(User).where(User.username == name).values(active=False))
        session.commit()


def test_stepping_down_is_refused_while_the_other_admin_has_no_password(app, staff):
    add_user(app, "zoe", "admin", password=None)  # created; the set-password link not yet used
    root = user_id(app, "root")
    response = staff["root"].post(f"/admin/users/{root}/role", data=CONFIRMED)
    assert response.status_code == 303
    page = staff["root"].get(response.location).get_data(as_text=True)
    assert (
        f"You cannot make &#39;root&#39; a counselor: {ONLY_ROOT}; "
        "&#39;zoe&#39; has no password yet. Another admin must be able to sign in first."
    ) in page
    assert role_of(app, "root") == "admin"
    assert staff["root"].get("/admin/users").status_code == 200


def test_a_disabled_admin_does_not_count_either(app, staff):
    add_user(app, "zoe", "admin")
    disable(app, "zoe")
    root = user_id(app, "root")
    response = staff["root"].post(f"/admin/users/{root}/role", data=CONFIRMED)
    page = staff["root"].get(response.location).get_data(as_text=True)
    assert f"{ONLY_ROOT}; &#39;zoe&#39; is disabled." in page
    assert role_of(app, "root") == "admin"


def test_the_confirmation_page_says_why_and_offers_no_confirm_button(app, staff):
    add_user(app, "zoe", "admin", password=None)
    root = user_id(app, "root")
    response = staff["root"].get(f"/admin/users/{root}/role?to=counselor")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"{ONLY_ROOT}; &#39;zoe&#39; has no password yet." in page
    assert "<form" not in page.split('id="role-title"', 1)[1]
    assert 'href="/admin/users">Back to the accounts</a>' in page


def test_removing_oneself_is_refused_while_the_other_admin_has_no_password(app, staff):
    add_user(app, "zoe", "admin", password=None)
    root = user_id(app, "root")
    ask = staff["root"].get(f"/admin/users/{root}/remove").get_data(as_text=True)
    assert f"You cannot remove &#39;root&#39;: {ONLY_ROOT}; &#39;zoe&#39; has no password" in ask
    assert "<button" not in ask.split('id="remove-title"', 1)[1]
    response = staff["root"].post(f"/admin/users/{root}/remove", data={"confirm": "yes"})
    assert response.status_code == 422
    assert ONLY_ROOT in response.get_data(as_text=True)
    with app.app_context():
        assert find_user(db.session(), "root") is not None
    assert staff["root"].get("/admin/").status_code == 200


@pytest.mark.parametrize("zoe_password", [None, "zoe's own long password"])
def test_the_other_admin_may_go_while_the_acting_admin_remains(app, staff, zoe_password):
    """The acting admin is signed in, so always an admin who can sign in."""
    add_user(app, "zoe", "admin", password=zoe_password)
    zoe = user_id(app, "zoe")
    response = staff["root"].post(f"/admin/users/{zoe}/role", data=CONFIRMED)
    assert response.status_code == 303
    assert role_of(app, "zoe") == "counselor"


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL lets two writers in at once; SQLite not")
def test_two_admins_cannot_step_down_at_the_same_moment(app):
    add_user(app, "root", "admin")
    add_user(app, "zoe", "admin")
    first, second = app.extensions["quizapp.storage.db"](), app.extensions["quizapp.storage.db"]()
    set_role(first, find_user(first, "root"), "counselor")  # not committed yet
    zoe = find_user(second, "zoe")
    refused = []

    def step_down():
        try:
            set_role(second, zoe, "counselor")
            second.commit()
        except UserError as exc:
            refused.append(str(exc))
            second.rollback()

    thread = threading.Thread(target=step_down)
    thread.start()
    thread.join(timeout=1)
    assert thread.is_alive()  # waiting for the admins' rows
    first.commit()
    thread.join(timeout=10)
    first.close()
    second.close()
    assert refused and "'zoe' is the only admin who can sign in" in refused[0]
    assert role_of(app, "zoe") == "admin"


def test_two_admins_demoting_each_other_at_once_leave_one_on_either_database(app):
    """The review's race, on SQLite too: both requests check while the other has not yet
    committed. One waits for the other's write lock, then counts, and is refused."""
    import threading

    from sqlalchemy.orm import Session

    from quizapp.storage.users import UserError, find_user, set_role

    add_user(app, "root", "admin")
    add_user(app, "bob", "admin")
    with app.app_context():
        engine = db.engine()
    first_flushed = threading.Event()
    outcome = {}

    def demote(name, hold):
        with Session(engine) as session:
            try:
                set_role(session, find_user(session, name), "counselor")
                session.flush()
                if hold:
                    first_flushed.set()
                    threading.Event().wait(0.5)  # still uncommitted while the other one looks
                session.commit()
                outcome[name] = "demoted"
            except UserError:
                session.rollback()
                outcome[name] = "refused"

    first = threading.Thread(target=demote, args=("bob", True))
    first.start()
    assert first_flushed.wait(10)
    second = threading.Thread(target=demote, args=("root", False))
    second.start()
    first.join(20)
    second.join(20)
    assert outcome == {"bob": "demoted", "root": "refused"}
    assert role_of(app, "root") == "admin" and role_of(app, "bob") == "counselor"
