"""Counselor link tools: editing a link, duplicate-label warnings, archiving, the share text."""

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from quizapp.storage import db
from quizapp.storage.models import QuizLink, Result, today
from tests.conftest import add_link, add_result, add_user, login, make_app, mini_answers

K_REFUSAL = (
    "With fewer than 5 responses the group figures can never be shown, because they could "
    "single someone out. Choose 5 or more, or leave it empty."
)
ANONYMITY = (
    "Your answers are anonymous: I will only see group figures, never your individual result, "
    "unless you choose to share its private link with me."
)
IN_A_MONTH = today() + dt.timedelta(days=30)


def stored(app, link_id: int) -> dict:
    """What the database holds for a link, as plain values."""
    with app.app_context():
        link = db.session().get(QuizLink, link_id)
        return {
            "label": link.label,
            "rubric_id": link.rubric_id,
            "expires_on": link.expires_on,
            "max_responses": link.max_responses,
            "active": link.active,
            "archived": link.archived,
        }


def link_labels(app) -> list[str]:
    with app.app_context():
        return db.session().scalars(select(QuizLink.label).order_by(QuizLink.id)).all()


def results_through(app, link_id: int) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).where(Result.link_id == link_id))


def edit_data(**changes) -> dict[str, str]:
    data = {"label": "Spring cohort", "expires_on": "", "max_responses": ""}
    data.update(changes)
    return data


def flashes(page: str, category: str) -> list[str]:
    return re.findall(rf'<div class="notice notice-{category}" role="status">(.*?)</div>', page)


# --- editing ------------------------------------------------------------------------------


def test_edit_page_shows_the_current_values_and_not_the_quiz_as_a_choice(app, staff):
    link_id, _ = add_link(app, label="Spring cohort", expires_on=IN_A_MONTH, max_responses=30)
    page = staff["anna"].get(f"/counselor/links/{link_id}/edit").get_data(as_text=True)
    assert "<h1>Edit the quiz link</h1>" in page
    assert 'name="label"' in page and 'value="Spring cohort"' in page
    assert f'value="{IN_A_MONTH.isoformat()}"' in page
    assert 'name="max_responses"' in page and 'value="30"' in page
    assert 'name="rubric_id"' not in page
    assert "Quiz: <strong>Test Role</strong>. It cannot be changed" in page
    assert "This link has fewer than 5 responses so far." in page


def test_counselor_edits_label_expiry_and_maximum(app, staff):
    link_id, code = add_link(app, label="Spring cohort", max_responses=30)
    before = stored(app, link_id)
    response = staff["anna"].post(
        f"/counselor/links/{link_id}/edit",
        data=edit_data(
            label="  Spring cohort, evening class ",
            expires_on=IN_A_MONTH.isoformat(),
            max_responses="15",
            rubric_id="something-else",  # not a field of this form: ignored
        ),
    )
    assert response.status_code == 303
    assert response.location == f"/counselor/links/{link_id}"
    assert stored(app, link_id) == {
        **before,
        "label": "Spring cohort, evening class",
        "expires_on": IN_A_MONTH,
        "max_responses": 15,
    }
    page = staff["anna"].get(response.location).get_data(as_text=True)
    assert flashes(page, "success") == ["Your changes are saved."]
    assert flashes(page, "warning") == []
    assert "<h1>Spring cohort, evening class</h1>" in page
    assert f"http://localhost/q/{code}" in page  # the address stays the same


def test_emptying_expiry_and_maximum_removes_them(app, staff):
    link_id, _ = add_link(app, expires_on=IN_A_MONTH, max_responses=30)
    response = staff["anna"].post(f"/counselor/links/{link_id}/edit", data=edit_data())
    assert response.status_code == 303
    assert stored(app, link_id)["expires_on"] is None
    assert stored(app, link_id)["max_responses"] is None


def test_admin_may_edit_a_counselors_link(app, staff):
    link_id, _ = add_link(app, owner="ben")
    assert staff["root"].get(f"/counselor/links/{link_id}/edit").status_code == 200
    response = staff["root"].post(
        f"/counselor/links/{link_id}/edit", data=edit_data(label="Renamed by the admin")
    )
    assert response.status_code == 303
    assert stored(app, link_id)["label"] == "Renamed by the admin"


RECEIVED_REFUSAL = (
    "This link has already received 5–9 responses (the exact number stays hidden, for privacy), "
    "so choose 10 or more, or leave it empty."
)


@pytest.mark.parametrize(
    ("responses", "changes", "message"),
    [
        (0, {"max_responses": "4"}, K_REFUSAL),
        (0, {"max_responses": "1"}, K_REFUSAL),
        (0, {"max_responses": "0"}, "Enter a number from 1 to 100,000."),
        (7, {"max_responses": "6"}, RECEIVED_REFUSAL),
        # 9 is above the 7 received, but within the 5–9 a counselor sees: refusing only below
        # the exact count would let repeated tries find it.
        (7, {"max_responses": "9"}, RECEIVED_REFUSAL),
        (0, {"expires_on": (today() - dt.timedelta(days=1)).isoformat()}, "Choose today or a"),
        (0, {"label": "   "}, "Give the link a label."),
    ],
    ids=["below-k", "one", "zero", "below-received", "within-received-block", "past", "blank"],
)
def test_bad_edit_is_explained_and_nothing_is_stored(app, staff, responses, changes, message):
    link_id, _ = add_link(app, max_responses=20)
    for _ in range(responses):
        add_result(app, link_id=link_id)
    before = stored(app, link_id)
    response = staff["anna"].post(
        f"/counselor/links/{link_id}/edit", data=edit_data(**{"label": "A new name", **changes})
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'id="error-summary"' in page
    assert 'aria-invalid="true"' in page
    assert stored(app, link_id) == before


def test_maximum_at_the_next_block_above_the_responses_is_accepted(app, staff):
    link_id, _ = add_link(app)
    for _ in range(7):
        add_result(app, link_id=link_id)
    page = staff["anna"].get(f"/counselor/links/{link_id}/edit").get_data(as_text=True)
    assert "This link has 5–9 responses so far." in page
    response = staff["anna"].post(
        f"/counselor/links/{link_id}/edit", data=edit_data(max_responses="10")
    )
    assert response.status_code == 303
    assert stored(app, link_id)["max_responses"] == 10


def test_an_expired_link_can_be_renamed_without_reopening_it(app, staff, client):
    yesterday = today() - dt.timedelta(days=1)
    link_id, code = add_link(app, expires_on=yesterday)
    response = staff["anna"].post(
        f"/counselor/links/{link_id}/edit",
        data=edit_data(label="Last year's group", expires_on=yesterday.isoformat()),
    )
    assert response.status_code == 303
    assert stored(app, link_id)["label"] == "Last year's group"
    assert stored(app, link_id)["expires_on"] == yesterday
    assert client.get(f"/q/{code}").status_code == 410


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_editing_an_unknown_or_someone_elses_link_is_404(app, staff, method):
    bens_link, _ = add_link(app, owner="ben", label="Ben's group")
    anna = staff["anna"]
    data = edit_data(label="Taken over") if method == "POST" else None
    assert anna.open("/counselor/links/9999/edit", method=method, data=data).status_code == 404
    response = anna.open(f"/counselor/links/{bens_link}/edit", method=method, data=data)
    assert response.status_code == 404
    assert stored(app, bens_link)["label"] == "Ben's group"


def test_creating_a_link_with_a_maximum_below_k_is_refused(app, staff):
    response = staff["anna"].post(
        "/counselor/links/new",
        data={"label": "Tiny group", "rubric_id": "mini", "max_responses": "3"},
    )
    assert response.status_code == 422
    assert K_REFUSAL in response.get_data(as_text=True)
    assert link_labels(app) == []
    ok = staff["anna"].post(
        "/counselor/links/new",
        data={"label": "Tiny group", "rubric_id": "mini", "max_responses": "5"},
    )
    assert ok.status_code == 303
    assert link_labels(app) == ["Tiny group"]


def test_the_maximum_rule_follows_the_configured_k(tmp_path, migrated_db):
    app = make_app(tmp_path, migrated_db, COHORT_MIN_SIZE=8)
    add_user(app, "anna")
    client = app.test_client()
    login(client, "anna")
    page = client.get("/counselor/links/new").get_data(as_text=True)
    assert "Group figures need at least 8 responses." in page
    response = client.post(
        "/counselor/links/new", data={"label": "Group", "rubric_id": "mini", "max_responses": "7"}
    )
    assert response.status_code == 422
    assert "With fewer than 8 responses the group figures can never be shown" in (
        response.get_data(as_text=True)
    )
    assert link_labels(app) == []


# --- duplicate labels ---------------------------------------------------------------------


def test_a_new_link_with_a_label_already_in_use_is_saved_with_a_warning(app, staff):
    add_link(app, label="Spring cohort")
    add_link(app, owner="ben", label="Autumn cohort")
    response = staff["anna"].post(
        "/counselor/links/new", data={"label": "  spring COHORT ", "rubric_id": "mini"}
    )
    assert response.status_code == 303
    assert link_labels(app) == ["Spring cohort", "Autumn cohort", "spring COHORT"]
    page = staff["anna"].get(response.location).get_data(as_text=True)
    assert flashes(page, "success") == ["Your quiz link is ready to share."]
    assert flashes(page, "warning") == [
        "You already have a link called “spring COHORT” — consider a label that tells them apart."
    ]
    # Another counselor's label is not a clash.
    other = staff["anna"].post(
        "/counselor/links/new", data={"label": "Autumn cohort", "rubric_id": "mini"}
    )
    assert flashes(staff["anna"].get(other.location).get_data(as_text=True), "warning") == []


def test_renaming_to_a_label_already_in_use_is_saved_with_a_warning(app, staff):
    add_link(app, label="Spring cohort")
    link_id, _ = add_link(app, label="Evening class")
    response = staff["anna"].post(
        f"/counselor/links/{link_id}/edit", data=edit_data(label="SPRING cohort")
    )
    assert response.status_code == 303
    assert stored(app, link_id)["label"] == "SPRING cohort"
    page = staff["anna"].get(response.location).get_data(as_text=True)
    assert flashes(page, "warning") == [
        "You already have a link called “SPRING cohort” — consider a label that tells them apart."
    ]


def test_saving_a_link_under_its_own_label_gives_no_warning(app, staff):
    link_id, _ = add_link(app, label="Spring cohort")
    response = staff["anna"].post(
        f"/counselor/links/{link_id}/edit", data=edit_data(label="Spring cohort")
    )
    page = staff["anna"].get(response.location).get_data(as_text=True)
    assert flashes(page, "warning") == []


# --- archiving ------------------------------------------------------------------------------


def test_archiving_hides_a_link_stops_responses_and_keeps_results(app, staff, client):
    link_id, code = add_link(app, label="Old workshop")
    add_link(app, label="Current class")
    add_result(app, link_id=link_id)
    anna = staff["anna"]

    response = anna.post(f"/counselor/links/{link_id}/archive")
    assert response.status_code == 303
    assert response.location == "/counselor/"
    assert stored(app, link_id)["archived"] is True
    assert stored(app, link_id)["active"] is True  # archiving is separate from closing

    dashboard = anna.get("/counselor/").get_data(as_text=True)
    assert flashes(dashboard, "success") == [
        "“Old workshop” is archived: it takes no responses and is hidden from your list. "
        "Its results are kept; you can reopen it under “Show archived links”."
    ]
    assert "Current class" in dashboard
    assert f'href="/counselor/links/{link_id}"' not in dashboard
    assert '<a href="/counselor/?archived=1">Show archived links (1)</a>' in dashboard

    archived = anna.get("/counselor/?archived=1").get_data(as_text=True)
    assert "<h1>Archived quiz links</h1>" in archived
    assert f'href="/counselor/links/{link_id}">Old workshop</a>' in archived
    assert "Current class" not in archived
    assert f'action="/counselor/links/{link_id}/archive"' in archived
    assert 'Reopen<span class="visually-hidden"> Old workshop</span>' in archived
    assert re.search(r'class="status status-closed">Archived<', archived)

    taker = client.get(f"/q/{code}")
    assert taker.status_code == 410
    assert "has archived it: it is no longer in use." in taker.get_data(as_text=True)
    # What a late submission shows is the quiz's business; the link's group gets nothing new.
    client.post(f"/q/{code}", data=mini_answers())
    assert results_through(app, link_id) == 1  # the earlier result is kept, nothing added

    link_page = anna.get(f"/counselor/links/{link_id}").get_data(as_text=True)
    assert "This link is archived: it takes no responses" in link_page
    assert "Reopen this link" in link_page and "Close this link" not in link_page


def test_reopening_an_archived_link_restores_it(app, staff, client):
    link_id, code = add_link(app, label="Old workshop", archived=True)
    anna = staff["anna"]
    response = anna.post(f"/counselor/links/{link_id}/archive")
    assert response.status_code == 303
    assert stored(app, link_id)["archived"] is False
    dashboard = anna.get("/counselor/").get_data(as_text=True)
    assert flashes(dashboard, "success") == ["“Old workshop” is back in your list of links."]
    assert "Old workshop" in dashboard and "Show archived links" not in dashboard
    assert "<h2>No archived links</h2>" in anna.get("/counselor/?archived=1").get_data(as_text=True)
    assert client.get(f"/q/{code}").status_code == 200
    assert client.post(f"/q/{code}", data=mini_answers()).status_code == 303
    assert results_through(app, link_id) == 1


def test_reopening_an_archived_closed_link_says_it_is_still_closed(app, staff, client):
    link_id, code = add_link(app, label="Old workshop", archived=True, active=False)
    response = staff["anna"].post(f"/counselor/links/{link_id}/archive", follow_redirects=True)
    assert flashes(response.get_data(as_text=True), "success") == [
        "“Old workshop” is back in your list of links. "
        "It is still closed: reopen it on its page to take responses."
    ]
    assert stored(app, link_id)["active"] is False
    assert client.get(f"/q/{code}").status_code == 410


def test_the_archive_list_shows_only_your_own_links(app, staff):
    add_link(app, label="Mine", archived=True)
    add_link(app, owner="ben", label="Bens old group", archived=True)
    assert "Show archived links (1)" in staff["anna"].get("/counselor/").get_data(as_text=True)
    page = staff["anna"].get("/counselor/?archived=1").get_data(as_text=True)
    assert "Mine" in page and "Bens old group" not in page
    admin = staff["root"].get("/counselor/?archived=1").get_data(as_text=True)
    assert "Mine" in admin and "Bens old group" in admin


def test_archiving_someone_elses_link_is_404(app, staff):
    link_id, _ = add_link(app, owner="ben")
    assert staff["anna"].post(f"/counselor/links/{link_id}/archive").status_code == 404
    assert staff["anna"].get(f"/counselor/links/{link_id}/archive").status_code == 405
    assert stored(app, link_id)["archived"] is False


def test_archiving_needs_the_csrf_token(tmp_path, migrated_db):
    app = make_app(tmp_path, migrated_db, WTF_CSRF_ENABLED=True)
    add_user(app, "anna")
    link_id, _ = add_link(app)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*\bvalue="([^"]+)"', page).group(1)
    client.post(
        "/login",
        data={"username": "anna", "password": "correct horse battery", "csrf_token": token},
    )
    assert client.post(f"/counselor/links/{link_id}/archive").status_code == 400
    assert stored(app, link_id)["archived"] is False


# --- share text -----------------------------------------------------------------------------


def test_link_page_offers_a_message_to_paste(app, staff):
    link_id, code = add_link(app)
    page = staff["anna"].get(f"/counselor/links/{link_id}").get_data(as_text=True)
    found = re.search(r'<textarea id="share-message" readonly[^>]*>(.*?)</textarea>', page, re.S)
    assert found, "no share message on the link page"
    message = found.group(1)
    assert message.startswith("Hello,\n")
    assert "how well the Test Role role could suit you; it takes about 2 minutes." in message
    assert f"\nhttp://localhost/q/{code}\n" in message
    assert ANONYMITY in message
    assert message.rstrip().endswith("Best wishes,")
    assert '<label for="share-message">' in page
    assert (
        '<button type="button" class="button button-secondary" data-copy="share-message" '
        'data-copy-what="text" hidden>Copy text</button>'
    ) in page


# --- staff sign-in in the footer ------------------------------------------------------------


def test_footer_links_to_staff_sign_in_for_visitors_only(app, staff, client):
    footer = re.compile(r'<footer class="site-footer">.*</footer>', re.S)
    visitor = footer.search(client.get("/").get_data(as_text=True)).group(0)
    assert '<a href="/login">Staff sign-in</a>' in visitor
    signed_in = footer.search(staff["anna"].get("/").get_data(as_text=True)).group(0)
    assert "Staff sign-in" not in signed_in
    on_login = footer.search(client.get("/login").get_data(as_text=True)).group(0)
    assert "Staff sign-in" not in on_login  # no link to the page itself


# --- the migration ------------------------------------------------------------------------


def test_migration_0004_marks_existing_links_as_not_archived(tmp_path):
    from sqlalchemy import create_engine, text

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    db.upgrade(url, "0003")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, username, password_hash, role, active, created_on)"
                " VALUES (1, 'anna', 'x', 'counselor', 1, '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO quiz_links (code, label, rubric_id, owner_id, active, created_on)"
                " VALUES ('abc', 'Before archiving existed', 'mini', 1, 1, '2026-01-01')"
            )
        )
    db.upgrade(url, "0004")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT archived FROM quiz_links")).scalars().all() == [0]
    engine.dispose()
