"""What keeps pages and submissions cheap: the kept questionnaire and result pages, running totals
folded on read, compressed pages, and that none of it changes what anyone sees."""

from __future__ import annotations

import datetime as dt
import gzip
import re
import threading

import brotli
import pytest
from sqlalchemy import func, select

from quizapp.reporting.stats import fold_pending
from quizapp.storage import db
from quizapp.storage.models import PendingTotal, Result, ResultScore, StatRollup
from quizapp.storage.results import purge_before
from tests.conftest import PASSWORD, add_link, add_user, make_app, mini_answers

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
KEY = re.compile(r'name="submission_key" type="hidden" value="([^"]+)"')


@pytest.fixture
def app(tmp_path, migrated_db):
    return make_app(tmp_path, migrated_db, WTF_CSRF_ENABLED=True)


def rows(app):
    with app.app_context():
        session = db.session()
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Result, ResultScore, PendingTotal, StatRollup)
        }


def sign_in(client, name):
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    data = {"username": name, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data).status_code == 302


def submit(client, path="/quiz", **changes):
    page = client.get(path).get_data(as_text=True)
    data = {**mini_answers(**changes), "csrf_token": TOKEN.search(page).group(1)}
    data["submission_key"] = KEY.search(page).group(1)
    response = client.post(path, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def test_a_submission_writes_its_result_scores_and_one_queue_row_and_no_totals(app, client):
    submit(client)
    assert rows(app) == {"results": 1, "result_scores": 2, "rollup_pending": 1, "stat_rollup": 0}


def test_the_next_read_folds_pending_results_in_once(app, client):
    submit(client)
    submit(client, a1="5")
    with app.app_context():
        session = db.session()
        assert fold_pending(session) == 2
        assert fold_pending(session) == 0  # nothing counted twice
        everyone = session.scalar(
            select(func.sum(StatRollup.n)).where(
                StatRollup.kind == "all", StatRollup.link_key == -1
            )
        )
        a1_fives = session.scalar(
            select(func.sum(StatRollup.n)).where(
                StatRollup.kind == "ans", StatRollup.key == "a1", StatRollup.value == 5.0
            )
        )
    assert (everyone, a1_fives) == (2, 2)  # -1 (all results) and 0 (no link) rows: 1 each
    assert rows(app)["rollup_pending"] == 0


def test_the_admin_dashboard_counts_results_submitted_a_moment_ago(app, client):
    add_user(app, "root", "admin")
    for _ in range(5):  # k (QUIZAPP_COHORT_MIN_SIZE): fewer results show no figures
        submit(client)
    admin = app.test_client()
    sign_in(admin, "root")
    page = admin.get("/admin/").get_data(as_text=True)
    assert re.search(r"stat-number\">5<", page), "the new results are on the dashboard"
    assert rows(app)["rollup_pending"] == 0


def test_the_cli_folds_pending_results(app, client):
    submit(client)
    out = app.test_cli_runner().invoke(args=["results", "fold"]).output
    assert out == "Added 1 result to the running totals.\n"


def test_the_links_index_leaves_out_results_without_a_link_and_link_counts_still_use_it(
    app, client
):
    add_user(app, "anna")
    link_id, code = add_link(app)
    submit(client)
    submit(client, f"/q/{code}")
    with app.app_context():
        connection = db.session().connection()
        count = "SELECT count(*) FROM results WHERE link_id = 1"
        if connection.dialect.name == "sqlite":
            (definition,) = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'ix_results_link_day'"
            ).one()
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {count}").all()
            scores_table = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'result_scores'"
            ).scalar_one()
            assert scores_table.rstrip().endswith("WITHOUT ROWID")  # one b-tree, no rowids
        else:
            (definition,) = connection.exec_driver_sql(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_results_link_day'"
            ).one()
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = connection.exec_driver_sql(f"EXPLAIN {count}").all()
        assert "WHERE" in definition and "link_id IS NOT NULL" in definition
        assert "ix_results_link_day" in str(plan)
        linked = select(func.count()).where(Result.link_id == link_id)
        assert db.session().scalar(linked) == 1
        assert db.session().scalar(select(func.count()).select_from(Result)) == 2


def test_results_are_found_by_day_only_with_their_rubric_and_the_purge_still_works(app, client):
    """A submission keeps no index by day alone (migration 0013): days are read with the rubric
    and its version, through ix_results_rubric_day, and the purge, the one reader by day alone,
    still removes exactly the results before its cutoff."""
    submit(client)
    submit(client)
    with app.app_context():
        session = db.session()
        connection = session.connection()
        count = (
            "SELECT count(*) FROM results WHERE rubric_id = 'mini' AND rubric_version = '0.1' "
            "AND completed_on >= '2020-01-01'"
        )
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            names = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'results' "
                "AND sql IS NOT NULL"  # the constraints' own indexes have no SQL
            ).scalars()
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {count}").all()
        else:
            names = connection.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'results' "
                "AND left(indexname, 3) = 'ix_'"
            ).scalars()
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = connection.exec_driver_sql(f"EXPLAIN {count}").all()
        assert set(names) == {
            "ix_results_rubric_day",
            "ix_results_link_day",
            "ix_results_rubric_id",
        }
        # SQLite takes the day index; PostgreSQL's planner may take either rubric index for a
        # table this small, never a scan.
        assert ("ix_results_rubric_day" if sqlite else "ix_results_rubric") in str(plan)
        session.execute(
            Result.__table__.update()
            .where(Result.id == session.scalar(select(func.min(Result.id))))
            .values(completed_on=dt.date(2020, 1, 1))
        )
        session.commit()
        assert purge_before(session, dt.date(2020, 1, 2)) == 1
        assert session.scalar(select(func.count()).select_from(Result)) == 1
        assert session.scalar(select(func.count()).select_from(ResultScore)) == 2


def test_each_questionnaire_gets_its_own_token_and_key_and_nothing_else_differs(client):
    first, second = (client.get("/quiz").get_data(as_text=True) for _ in range(2))
    assert KEY.search(first).group(1) != KEY.search(second).group(1)
    strip = lambda page: KEY.sub("", TOKEN.sub("", page))  # noqa: E731
    assert strip(first) == strip(second)


def test_a_kept_questionnaire_carries_a_token_that_is_accepted(app):
    browsers = [app.test_client() for _ in range(3)]
    tokens = {TOKEN.search(b.get("/quiz").get_data(as_text=True)).group(1) for b in browsers}
    assert len(tokens) == 3  # each browser its own session and token
    for browser in browsers:
        submit(browser)
    assert rows(app)["results"] == 3


def test_a_signed_in_staff_member_gets_their_own_header_not_a_kept_page(app):
    add_user(app, "anna")
    anonymous = app.test_client()
    anonymous.get("/quiz")
    staff = app.test_client()
    sign_in(staff, "anna")
    assert "Log out" in staff.get("/quiz").get_data(as_text=True)
    assert "Log out" not in anonymous.get("/quiz").get_data(as_text=True)


def test_a_kept_result_page_is_gone_once_the_result_is_purged(app, client):
    target = submit(client)
    first = client.get(target)
    assert first.status_code == 200 and client.get(target).data == first.data
    with app.app_context():
        purge_before(db.session(), dt.date.today() + dt.timedelta(days=1))
    assert client.get(target).status_code == 404


@pytest.mark.parametrize(
    ("accept", "encoding", "unpack"),
    [("br", "br", brotli.decompress), ("gzip", "gzip", gzip.decompress), ("", None, bytes)],
)
def test_pages_are_compressed_for_browsers_that_accept_it(app, accept, encoding, unpack):
    client = app.test_client()
    plain = client.get("/").data
    response = client.get("/", headers={"Accept-Encoding": accept} if accept else {})
    assert response.headers.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert unpack(response.data) == plain
    if encoding:
        assert len(response.data) < len(plain) / 2


def test_two_folds_at_once_on_postgresql_count_each_result_once(postgres_url):
    from tests.storage.test_concurrency import postgres_app

    app = postgres_app(postgres_url)
    client = app.test_client()
    for _ in range(40):
        assert client.post("/quiz", data=mini_answers()).status_code == 303
    folded = []

    def fold():
        with app.app_context():
            folded.append(fold_pending(db.session()))

    threads = [threading.Thread(target=fold) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(folded) == 40
    with app.app_context():
        session = db.session()
        total = session.scalar(
            select(func.sum(StatRollup.n)).where(
                StatRollup.kind == "all", StatRollup.link_key == -1
            )
        )
        db.engine().dispose()
    assert total == 40


def test_compiled_templates_are_kept_on_disk_for_the_next_worker(
    app, tmp_path, migrated_db, monkeypatch
):
    from pathlib import Path

    from quizapp import KeptTemplates

    kept = app.jinja_env.bytecode_cache
    assert isinstance(kept, KeptTemplates)
    assert Path(kept.directory) == Path(app.instance_path) / "template-cache"
    folder = tmp_path / "templates"
    folder.mkdir()
    app.jinja_env.bytecode_cache = KeptTemplates(str(folder))
    landing = app.test_client().get("/").get_data(as_text=True)
    assert any(folder.iterdir())  # compiled and kept

    later = make_app(tmp_path, migrated_db)  # a new worker: loads the code instead of compiling it
    later.jinja_env.bytecode_cache = KeptTemplates(str(folder))

    def compile_again(*args, **kwargs):
        raise AssertionError("a kept template was compiled again")

    monkeypatch.setattr(later.jinja_env, "compile", compile_again)
    assert later.test_client().get("/").get_data(as_text=True) == landing


def test_a_template_folder_that_cannot_be_written_only_keeps_nothing(app, tmp_path):
    from quizapp import KeptTemplates

    app.jinja_env.bytecode_cache = None
    landing = app.test_client().get("/").get_data(as_text=True)
    app.jinja_env.cache.clear()  # compile again, into a folder that does not exist
    app.jinja_env.bytecode_cache = KeptTemplates(str(tmp_path / "not-there"))
    response = app.test_client().get("/")
    assert response.status_code == 200 and response.get_data(as_text=True) == landing
    assert not (tmp_path / "not-there").exists()
