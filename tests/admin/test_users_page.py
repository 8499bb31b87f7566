"""Managing accounts from /admin/users."""

from quizapp.storage import db
from quizapp.storage.users import find_user
from tests.conftest import login, user_id


def test_admin_creates_a_counselor(app, staff):
    response = staff["root"].post("/admin/users", data={"username": " Carol ", "role": "counselor"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Created the counselor account &#39;carol&#39;." in page
    assert "/account/set-password/" in page  # tests/admin/test_accounts.py follows the link
    with app.app_context():
        assert find_user(db.session(), "carol").role == "counselor"


def test_duplicate_is_explained(staff):
    dup = staff["root"].post("/admin/users", data={"username": "ANNA", "role": "counselor"})
    assert dup.status_code == 422
    assert "There is already a user called &#39;anna&#39;." in dup.get_data(as_text=True)


def test_disabling_ends_sessions_and_reenabling_restores_sign_in(app, staff):
    anna = user_id(app, "anna")
    assert staff["anna"].get("/counselor/").status_code == 200
    staff["root"].post(f"/admin/users/{anna}/active")
    assert staff["anna"].get("/counselor/").status_code == 302
    assert "Disabled" in staff["root"].get("/admin/users").get_data(as_text=True)
    staff["root"].post(f"/admin/users/{anna}/active")
    assert login(app.test_client(), "anna").status_code == 302


def test_password_reset_ends_sessions_once_the_new_password_is_set(app, staff):
    anna = user_id(app, "anna")
    page = staff["root"].post(f"/admin/users/{anna}/password").get_data(as_text=True)
    path = page.split('value="http://localhost', 1)[1].split('"', 1)[0]
    assert staff["anna"].get("/counselor/").status_code == 200  # not yet
    new = {"password": "brand new password", "confirm": "brand new password"}
    assert app.test_client().post(path, data=new).status_code == 303
    assert staff["anna"].get("/counselor/").status_code == 302
    assert login(app.test_client(), "anna", "brand new password").status_code == 302


def test_admin_cannot_disable_themselves(app, staff):
    root = user_id(app, "root")
    response = staff["root"].post(f"/admin/users/{root}/active", follow_redirects=True)
    assert "You cannot disable your own account." in response.get_data(as_text=True)
    assert staff["root"].get("/admin/").status_code == 200
