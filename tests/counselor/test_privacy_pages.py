"""What clients are told before answering, the admin's view of the privacy budget, and the
counselor's comparison and printable group report (same release rules as the link page)."""

import html

from tests.conftest import add_link, add_result


def fill(app, link_id, count, alpha=70.0):
    for n in range(count):
        add_result(app, link_id, "high", {"alpha": alpha + n % 3, "beta": 60.0})


def test_clients_are_told_before_the_first_question(app, client, staff):
    _, code = add_link(app)
    page = html.unescape(client.get(f"/q/{code}").get_data(as_text=True))
    sentence = (
        "Your answers are anonymous. Your counselor sees only figures for the group as a whole "
        "(from 10 people on, with deliberate noise), and never your result unless you choose to "
        "share its private link."
    )
    assert sentence in page
    assert page.index(sentence) < page.index('<fieldset class="question')
    assert sentence not in client.get("/quiz").get_data(as_text=True)  # not on the public quiz


def test_admin_sees_the_releases_and_the_formal_guarantee(app, staff):
    link_id, _ = add_link(app)
    page = staff["root"].get("/admin/").get_data(as_text=True)
    assert "over its first 10, 30 and 100 scored responses" in page
    assert "So far 0 releases over 0 links" in page
    fill(app, link_id, 10)
    staff["anna"].get(f"/counselor/links/{link_id}")  # the first release (the first 10)
    page = staff["root"].get("/admin/").get_data(as_text=True)
    # two areas, no band table yet: rho = 200/507 = 0.394,
    # epsilon = 0.394 + 2 sqrt(0.394 ln 10^6) = 5.06
    assert "So far 1 release over 1 link." in page
    assert "one person is ε = 5.1 (at δ = 10<sup>-6</sup>)" in page


def test_compare_two_links_side_by_side(app, staff):
    before, _ = add_link(app, label="Before the course")
    after, _ = add_link(app, label="After the course")
    other, _ = add_link(app, owner="ben", label="Ben's")
    fill(app, before, 30, alpha=40.0)
    fill(app, after, 17, alpha=80.0)
    anna = staff["anna"]
    page = anna.get(f"/counselor/compare?a={before}&b={after}").get_data(as_text=True)
    assert '<h2 id="side-1">Before the course</h2>' in page
    assert '<h2 id="side-2">After the course</h2>' in page
    assert "cover the first <strong>30</strong> responses" in page  # before: the second release
    assert "cover the first <strong>10</strong> responses (15–19 so far)" in page  # after: first
    assert anna.get(f"/counselor/compare?a={before}&b={other}").status_code == 404
    same = anna.get(f"/counselor/compare?a={before}&b={before}").get_data(as_text=True)
    assert "Choose two different links to compare." in same and "side-1" not in same


def test_printable_group_report_uses_the_same_release(app, staff):
    link_id, _ = add_link(app, label="Evening class")
    fill(app, link_id, 10)
    anna = staff["anna"]
    csv_text = anna.get(f"/counselor/links/{link_id}/cohort.csv").get_data(as_text=True)
    mean = next(r.split(",")[3] for r in csv_text.splitlines() if "Alpha,group mean" in r)
    page = anna.get(f"/counselor/links/{link_id}/report").get_data(as_text=True)
    assert "<h1>Evening class</h1>" in page and "Group report" in page
    assert f'<span class="bar-value">{mean}<' in page
    assert 'media="print"' in page


def test_releases_and_snapshots_on_postgresql(postgres_url):
    from sqlalchemy import func, select

    from quizapp import create_app
    from quizapp.storage import db
    from quizapp.storage.models import CohortRelease, CompareSnapshot
    from tests.conftest import MINI_RUBRICS, add_user, login

    db.upgrade(postgres_url)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "DATABASE_URL": postgres_url,
            "RUBRICS_DIR": str(MINI_RUBRICS),
            "DEFAULT_RUBRIC": "mini",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "COMPARE_MIN_RESULTS": 5,
        }
    )
    add_user(app, "anna")
    counselor = app.test_client()
    assert login(counselor, "anna").status_code == 302
    link_id, code = add_link(app)
    people = app.test_client()
    from tests.conftest import mini_answers

    tokens = [people.post(f"/q/{code}", data=mini_answers()).location for _ in range(12)]
    first = counselor.get(f"/counselor/links/{link_id}/cohort.csv").get_data(as_text=True)
    assert "responses the figures cover,count,10" in first
    assert counselor.get(f"/counselor/links/{link_id}/cohort.csv").get_data(as_text=True) == first
    page = people.get(tokens[0]).get_data(as_text=True)
    assert "How you compare" in page and people.get(tokens[0]).get_data(as_text=True) == page
    with app.app_context():
        session = db.session()
        assert session.scalar(select(func.count()).select_from(CohortRelease)) == 1
        assert session.scalar(select(func.count()).select_from(CompareSnapshot)) == 1
        db.engine().dispose()
