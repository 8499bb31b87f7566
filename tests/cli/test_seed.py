"""``flask demo seed``: made-up results that the real scoring agrees with, and running totals in step."""

import datetime as dt
import math
from collections import Counter

from sqlalchemy import func, select

from quizapp.assessment.scoring import score
from quizapp.reporting.stats import Filters, rollup_sums
from quizapp.storage import db
from quizapp.storage.models import QuizLink, Result, ResultScore, StatRollup, User, today
from quizapp.storage.results import build_result
from quizapp.storage.rollup import KEY_COLUMNS, merge, result_deltas, rows_for
from tests.conftest import make_app


def seed(app, *args):
    result = app.test_cli_runner().invoke(args=["demo", "seed", *args])
    assert result.exit_code == 0, result.output
    return result


def stored(app):
    """Every stored result with its dimension scores, oldest first."""
    with app.app_context():
        session = db.session()
        results = session.scalars(select(Result).order_by(Result.id)).all()
        for result in results:
            assert result.scores is not None  # load them while the session is open
        return results


def band_counts(app) -> Counter:
    with app.app_context():
        rows = db.session().execute(select(Result.band, func.count()).group_by(Result.band))
        return Counter(dict(rows.all()))


def rubric_of(app):
    return app.extensions["quizapp.rubrics"][app.config["DEFAULT_RUBRIC"]]


def test_seed_stores_results_links_and_counselors(app):
    result = seed(app, "--results", "300", "--links", "3")
    assert "Seeded 300 mini results" in result.output
    assert "through 3 new quiz links" in result.output
    with app.app_context():
        session = db.session()
        assert session.scalar(select(func.count()).select_from(Result)) == 300
        assert session.scalar(select(func.count()).select_from(ResultScore)) == 600
        links = session.scalars(select(QuizLink)).all()
        counselors = session.scalars(select(User)).all()
        linked = session.scalar(select(func.count()).where(Result.link_id.is_not(None)))
        days = session.execute(select(func.min(Result.completed_on), func.max(Result.completed_on)))
        first, last = days.one()
    assert len(links) == 3
    assert [(u.username, u.role) for u in counselors] == [("demo-counselor-1", "counselor")]
    assert all(link.owner_id == counselors[0].id and link.rubric_id == "mini" for link in links)
    assert all(link.label.startswith("Demo cohort ") for link in links)
    assert 60 <= linked <= 180  # about 40%, on the days the links are open
    assert today() - dt.timedelta(days=364) <= first <= last <= today()


def test_every_seeded_result_is_what_the_app_would_store(app):
    seed(app, "--results", "300", "--links", "3")
    rubric = rubric_of(app)
    question_ids = [i.id for i in rubric.items] + [s.id for s in rubric.scenarios]
    for result in stored(app):
        assert list(result.answers) == question_ids
        again = build_result(rubric, result.answers, score(rubric, result.answers))
        assert (result.overall, result.band) == (again.overall, again.band)
        assert result.answered == again.answered
        assert result.notes == again.notes
        assert result.profile == again.profile
        assert [(s.dimension_id, s.position, s.score) for s in result.scores] == [
            (s.dimension_id, s.position, s.score) for s in again.scores
        ]
        assert (result.rubric_id, result.rubric_version) == (rubric.id, rubric.version)
        assert result.rubric_hash == rubric.content_hash
        assert len(result.token) == 32


def test_running_totals_agree_with_the_raw_tables(app):
    seed(app, "--results", "300", "--links", "3")
    with app.app_context():
        session = db.session()
        sums = rollup_sums(session, Filters(rubric_id="mini"), ("all", "band", "dim"))
        count = session.scalar(select(func.count()).select_from(Result))
        dims = session.execute(
            select(
                ResultScore.dimension_id, func.count(ResultScore.score), func.sum(ResultScore.score)
            ).group_by(ResultScore.dimension_id)
        ).all()
        for link_id, n in session.execute(
            select(Result.link_id, func.count()).group_by(Result.link_id)
        ):
            if link_id is not None:
                link_sums = rollup_sums(session, Filters(link_id=link_id), ("all",))
                assert link_sums[("all", "", 0.0)][0] == n
    assert sums[("all", "", 0.0)][0] == count == 300
    bands = {key or None: n for (kind, key, _), (n, _) in sums.items() if kind == "band"}
    assert bands == dict(band_counts(app))
    for dim_id, n, total in dims:
        rolled_n, rolled_total = sums[("dim", dim_id, 0.0)]
        assert rolled_n == n
        assert math.isclose(rolled_total, total, rel_tol=1e-9)


def test_the_whole_rollup_table_is_what_storing_each_result_would_add(app):
    seed(app, "--results", "300", "--links", "3")
    rubric = rubric_of(app)
    expected: dict = {}
    for result in stored(app):
        scores = {s.dimension_id: s.score for s in result.scores}
        deltas = result_deltas(rubric, result.answers, result.overall, result.band, scores)
        rows = rows_for(deltas, rubric.id, rubric.version, result.completed_on, result.link_id)
        merge(expected, rows)
    with app.app_context():
        columns = [getattr(StatRollup, c) for c in KEY_COLUMNS]
        table = {
            tuple(row[:-2]): (row[-2], row[-1])
            for row in db.session().execute(select(*columns, StatRollup.n, StatRollup.total))
        }
    assert set(table) == set(expected)
    for key, (n, total) in expected.items():
        assert table[key][0] == n, key
        assert math.isclose(table[key][1], total, rel_tol=1e-9, abs_tol=1e-9), key


def test_the_same_seed_gives_the_same_results(app, tmp_path, migrated_db):
    seed(app, "--results", "300", "--links", "3", "--seed", "7")
    (tmp_path / "again").mkdir()
    again = make_app(tmp_path / "again", migrated_db)
    seed(again, "--results", "300", "--links", "3", "--seed", "7")
    (tmp_path / "other").mkdir()
    other = make_app(tmp_path / "other", migrated_db)
    seed(other, "--results", "300", "--links", "3", "--seed", "8")
    assert band_counts(app) == band_counts(again)
    assert [r.answers for r in stored(app)] == [r.answers for r in stored(again)]
    assert [r.answers for r in stored(app)] != [r.answers for r in stored(other)]


def test_worker_processes_make_the_same_results(app, tmp_path, migrated_db, monkeypatch):
    monkeypatch.setattr(
        "quizapp.cli.demo_data.BATCH", 70
    )  # several batches, so two workers share them
    seed(app, "--results", "300", "--links", "3", "--jobs", "1")
    (tmp_path / "jobs").mkdir()
    parallel = make_app(tmp_path / "jobs", migrated_db)
    seed(parallel, "--results", "300", "--links", "3", "--jobs", "2")
    one, two = stored(app), stored(parallel)
    assert [(r.id, r.completed_on, r.link_id, r.answers) for r in one] == [
        (r.id, r.completed_on, r.link_id, r.answers) for r in two
    ]


def test_seeding_again_adds_results_and_reuses_the_counselors(app):
    seed(app, "--results", "300", "--links", "3")
    seed(app, "--results", "50", "--links", "5")
    with app.app_context():
        session = db.session()
        assert session.scalar(select(func.count()).select_from(Result)) == 350
        assert session.scalar(select(func.count()).select_from(QuizLink)) == 8
        names = session.scalars(select(User.username).order_by(User.username)).all()
        total = rollup_sums(session, Filters(), ("all",))[("all", "", 0.0)][0]
    assert names == ["demo-counselor-1", "demo-counselor-2"]
    assert total == 350
    ids = [r.id for r in stored(app)]
    assert ids == list(range(1, 351))


def test_an_unknown_rubric_is_refused(app):
    result = app.test_cli_runner().invoke(
        args=["demo", "seed", "--results", "5", "--rubric", "nope"]
    )
    assert result.exit_code == 1
    assert "Unknown rubric 'nope'; loaded: mini." in result.output


def test_real_rubric_results_are_realistic_rescore_and_roll_up(tpm_app):
    seed(tpm_app, "--results", "2000", "--links", "8")
    results = stored(tpm_app)
    rubric = rubric_of(tpm_app)
    assert len(results) == 2000
    bands = Counter(r.band for r in results)
    assert sum(1 for n in bands.values() if n >= 200) >= 2, bands  # two bands hold >= 10% each
    assert max(bands.values()) <= 1400, bands
    likert = [r.answers[i.id] for r in results for i in rubric.items]
    assert 0.01 <= likert.count(None) / len(likert) <= 0.06  # "Not sure" about 3% of the time
    assert len(set(likert) - {None}) == 5
    notes = Counter(n for r in results for n in r.notes)
    # The demo's straight-liners (3%) give one answer throughout: no band for them.
    unclear = sum(1 for r in results if r.band is None and r.overall is None)
    assert 20 <= notes["same-answer"] <= 140 and 20 <= unclear <= 160, (notes, unclear)
    for scenario in rubric.scenarios:  # every option is chosen by someone, the best most often
        chosen = Counter(r.answers[scenario.id] for r in results)
        assert set(chosen) == {o.id for o in scenario.options}
        best = max(scenario.options, key=lambda o: sum(o.points.values()))
        assert chosen.most_common(1)[0][0] == best.id
    weekday = Counter(r.completed_on.weekday() for r in results)
    assert min(weekday[d] for d in range(5)) > max(weekday[5], weekday[6])
    half = today() - dt.timedelta(days=182)
    recent = sum(1 for r in results if r.completed_on > half)
    assert recent > len(results) - recent  # later months are busier

    for result in results:
        again = score(rubric, result.answers)
        assert (result.overall, result.band) == (again.overall, again.band)
    with tpm_app.app_context():
        sums = rollup_sums(db.session(), Filters(rubric_id=rubric.id), ("all", "band"))
    assert sums[("all", "", 0.0)][0] == len(results)
    assert {key or None: n for (kind, key, _), (n, _) in sums.items() if kind == "band"} == bands


def test_seeding_postgresql_leaves_the_id_sequence_ready_for_the_app(postgres_url):
    """Ids are given explicitly; on PostgreSQL the next result the app stores must not collide."""
    from quizapp import create_app
    from tests.conftest import MINI_RUBRICS, mini_answers

    db.upgrade(postgres_url)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "DATABASE_URL": postgres_url,
            "RUBRICS_DIR": str(MINI_RUBRICS),
            "DEFAULT_RUBRIC": "mini",
            "WTF_CSRF_ENABLED": False,
        }
    )
    seed(app, "--results", "200", "--links", "2", "--jobs", "1")
    response = app.test_client().post("/quiz", data=mini_answers())
    assert response.status_code in (302, 303), response.status_code
    with app.app_context():
        session = db.session()
        assert session.scalar(select(func.max(Result.id))) == 201
        total = rollup_sums(session, Filters(), ("all",))[("all", "", 0.0)][0]
        db.engine().dispose()
    assert total == 201
