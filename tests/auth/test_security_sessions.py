"""Staff sessions end when idle too long or too old; ended ones are deleted and purged."""

import datetime as dt

import pytest
from sqlalchemy import create_engine, inspect, select, text, update

from quizapp import StartupError
from quizapp.config import from_environment
from quizapp.storage import db
from quizapp.storage.models import StaffSession, utc_now
from quizapp.storage.users import SessionLimits, find_user, start_session
from tests.conftest import add_user, login, make_app

ENDED = "Your session has ended; please sign in again."


@pytest.fixture
def anna(app):
    add_user(app, "anna")
    client = app.test_client()
    assert login(client, "anna").status_code == 302
    return client


def set_times(app, **times) -> None:
    """Give every staff session these times (started_at, last_seen_at)."""
    with app.app_context():
        session = db.session()
        session.execute(update(StaffSession).values(**times))
        session.commit()


def sessions(app) -> list[StaffSession]:
    with app.app_context():
        return list(db.session().scalars(select(StaffSession).order_by(StaffSession.id)))


def ago(**delta) -> dt.datetime:
    return utc_now() - dt.timedelta(**delta)


def assert_sent_to_sign_in(client, message: str = ENDED) -> None:
    response = client.get("/counselor/")
    assert response.status_code == 302
    assert response.location == "/login?next=%2Fcounselor%2F"
    page = client.get(response.location).get_data(as_text=True)
    assert message in page


def test_sign_in_records_when_the_session_started(app, anna):
    [row] = sessions(app)
    assert row.started_at == row.last_seen_at
    assert abs(utc_now() - row.started_at) < dt.timedelta(minutes=1)


def test_a_session_idle_for_an_hour_has_ended(app, anna):
    set_times(app, last_seen_at=ago(minutes=61))
    assert_sent_to_sign_in(anna)
    assert sessions(app) == []  # deleted, not only refused
    assert login(anna, "anna").status_code == 302  # signing in again works


def test_a_session_in_use_lasts_at_most_twelve_hours(app, anna):
    set_times(app, started_at=ago(hours=12, minutes=1), last_seen_at=ago(seconds=10))
    assert_sent_to_sign_in(anna)
    assert sessions(app) == []


def test_a_row_dated_2019_no_longer_works(app, anna):
    set_times(app, started_at=dt.datetime(2019, 5, 1, 9), last_seen_at=dt.datetime(2019, 5, 1, 9))
    assert_sent_to_sign_in(anna)
    assert sessions(app) == []


def test_a_session_within_both_limits_goes_on(app, anna):
    set_times(app, started_at=ago(hours=11, minutes=50), last_seen_at=ago(minutes=59))
    assert anna.get("/counselor/").status_code == 200


def test_signed_out_visitors_get_the_usual_message(client):
    assert_sent_to_sign_in(client, "Please sign in to see that page.")


def test_last_use_is_written_at_most_once_a_minute(app, anna):
    recent = ago(seconds=30)
    set_times(app, last_seen_at=recent)
    assert anna.get("/counselor/").status_code == 200
    assert sessions(app)[0].last_seen_at == recent  # no write for a request within the minute
    older = ago(minutes=2)
    set_times(app, last_seen_at=older)
    assert anna.get("/counselor/").status_code == 200
    assert utc_now() - sessions(app)[0].last_seen_at < dt.timedelta(seconds=30)


def test_using_a_session_keeps_it_from_going_idle(app, anna):
    set_times(app, last_seen_at=ago(minutes=50))
    assert anna.get("/counselor/").status_code == 200  # recorded as used now
    [row] = sessions(app)
    set_times(app, last_seen_at=row.last_seen_at - dt.timedelta(minutes=20))
    assert anna.get("/counselor/").status_code == 200  # 20 minutes idle, not 70


def test_the_limits_are_configurable(tmp_path, migrated_db):
    app = make_app(tmp_path, migrated_db, STAFF_IDLE_MINUTES=5, STAFF_MAX_HOURS=1)
    add_user(app, "anna")
    client = app.test_client()
    login(client, "anna")
    set_times(app, last_seen_at=ago(minutes=6))
    assert_sent_to_sign_in(client)
    login(client, "anna")
    set_times(app, started_at=ago(minutes=61))
    assert_sent_to_sign_in(client)


def test_the_limits_are_read_from_the_environment(tmp_path):
    found = from_environment({"QUIZAPP_STAFF_IDLE_MINUTES": "15", "QUIZAPP_STAFF_MAX_HOURS": "8"})
    assert found == {"STAFF_IDLE_MINUTES": 15, "STAFF_MAX_HOURS": 8}


@pytest.mark.parametrize("name", ["STAFF_IDLE_MINUTES", "STAFF_MAX_HOURS"])
def test_a_limit_below_one_stops_the_app(tmp_path, migrated_db, name):
    with pytest.raises(StartupError, match=f"QUIZAPP_{name} must be at least 1, not 0"):
        make_app(tmp_path, migrated_db, **{name: 0})


def add_sessions(app, times: dict[str, tuple[dt.datetime, dt.datetime]]) -> None:
    """Sessions for ben with chosen (started_at, last_seen_at); the key is the dict key."""
    add_user(app, "ben")
    with app.app_context():
        session = db.session()
        user = find_user(session, "ben")
        for key, (started, seen) in times.items():
            session.add(StaffSession(key=key, user=user, started_at=started, last_seen_at=seen))
        session.commit()


def ended_and_live() -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """Three sessions that have ended under the default limits and one that has not."""
    return {
        "idle": (ago(hours=2), ago(hours=1, minutes=1)),
        "old": (ago(hours=13), ago(minutes=1)),
        "2019": (dt.datetime(2019, 5, 1), dt.datetime(2019, 5, 1)),
        "live": (ago(hours=1), ago(minutes=1)),
    }


def test_purge_sessions_command_deletes_only_ended_sessions(app, runner):
    add_sessions(app, ended_and_live())
    result = runner.invoke(args=["users", "purge-sessions"])
    assert result.exit_code == 0, result.output
    assert result.output == "Removed 3 ended sessions.\n"
    assert [row.key for row in sessions(app)] == ["live"]
    assert runner.invoke(args=["users", "purge-sessions"]).output == "Removed 0 ended sessions.\n"


def test_signing_in_clears_out_ended_sessions(app, anna):
    add_sessions(app, ended_and_live())
    assert login(app.test_client(), "anna").status_code == 302
    keys = [row.key for row in sessions(app)]
    assert "live" in keys
    assert not {"idle", "old", "2019"} & set(keys)
    assert len(keys) == 3  # anna's two sessions and ben's live one


def test_start_session_uses_the_limits_it_is_given(app):
    add_sessions(app, {"recent": (ago(minutes=10), ago(minutes=6))})
    with app.app_context():
        session = db.session()
        limits = SessionLimits(idle=dt.timedelta(minutes=5), lifetime=dt.timedelta(hours=1))
        start_session(session, find_user(session, "ben"), limits, utc_now())
        session.commit()
    [row] = sessions(app)
    assert row.key != "recent"  # idle for 6 minutes, over this limit of 5


def test_migration_0006_signs_everyone_out(tmp_path):
    """Old rows know only their day, so the upgrade deletes them; the schema gains the times."""
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    db.upgrade(url, "0005")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, username, password_hash, role, active, created_on) "
                "VALUES (1, 'anna', 'x', 'counselor', 1, '2019-05-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO staff_sessions (key, user_id, started_on) "
                "VALUES ('from-2019', 1, '2019-05-01')"
            )
        )
    db.upgrade(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM staff_sessions")).scalar() == 0
        assert connection.execute(text("SELECT count(*) FROM users")).scalar() == 1
    columns = {c["name"]: c for c in inspect(engine).get_columns("staff_sessions")}
    assert {"started_at", "last_seen_at"} <= set(columns)
    assert "started_on" not in columns
    assert not columns["started_at"]["nullable"] and not columns["last_seen_at"]["nullable"]
    engine.dispose()


def test_migration_0006_goes_back_down(tmp_path):
    from alembic import command

    url = f"sqlite:///{tmp_path / 'down.sqlite'}"
    db.upgrade(url)
    command.downgrade(db.alembic_config(url), "0005")
    engine = create_engine(url)
    columns = {c["name"] for c in inspect(engine).get_columns("staff_sessions")}
    engine.dispose()
    assert "started_on" in columns
    assert not {"started_at", "last_seen_at"} & columns
