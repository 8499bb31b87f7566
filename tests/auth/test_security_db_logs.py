"""Database parameters (result tokens, answers) never reach a log line or an error message."""

import logging
import secrets

import pytest
from sqlalchemy.exc import IntegrityError

from quizapp.storage import db
from quizapp.storage.models import Result
from tests.conftest import make_app

LOGGERS = ("sqlalchemy", "quizapp")


def result_row(token: str, answer: str) -> Result:
    return Result(
        token=token,
        rubric_id="mini",
        rubric_version="0.1",
        rubric_hash="0" * 64,
        overall=50.0,
        band="mid",
        answered=1,
        answers={"s1": answer},
    )


@pytest.fixture
def secrets_to_hide():
    return f"tok{secrets.token_urlsafe(24)}", f"my private answer {secrets.token_hex(6)}"


@pytest.fixture
def debug_logs(caplog):
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def insert_twice(app, token: str, answer: str) -> IntegrityError:
    """Store a result, then another with the same token; return the database's refusal."""
    with app.app_context():
        session = db.session()
        session.add(result_row(token, answer))
        session.commit()
        session.add(result_row(token, answer))  # the same token again: unique constraint
        with pytest.raises(IntegrityError) as caught:
            session.commit()
        session.rollback()
    return caught.value


def test_sql_logging_and_errors_hide_the_bound_values(app, debug_logs, secrets_to_hide):
    token, answer = secrets_to_hide
    error = insert_twice(app, token, answer)
    assert "INSERT INTO results" in debug_logs.text  # statements were logged, at DEBUG
    assert "[SQL parameters hidden due to hide_parameters=True]" in str(error)
    sql_lines = [r.getMessage() for r in debug_logs.records if r.name.startswith("sqlalchemy")]
    for hidden in (token, answer):
        assert not [line for line in sql_lines if hidden in line]


def test_a_failing_insert_shows_no_parameters(request, app, debug_logs, secrets_to_hide):
    token, answer = secrets_to_hide
    message = str(insert_twice(app, token, answer))
    assert "INSERT INTO results" in message
    for hidden in (token, answer):
        assert hidden not in message
        assert hidden not in debug_logs.text


def test_a_failing_request_logs_no_parameters(
    request, tmp_path, migrated_db, debug_logs, secrets_to_hide
):
    """An error inside a view: the app logger's traceback carries the exception's text."""
    token, answer = secrets_to_hide
    app = make_app(tmp_path, migrated_db, TESTING=False)  # errors are logged, not raised
    debug_logs.set_level(logging.DEBUG, logger=app.logger.name)

    def store_twice():
        session = db.session()
        for _ in range(2):
            session.add(result_row(token, answer))
            session.commit()

    app.add_url_rule("/store-twice", view_func=store_twice)
    response = app.test_client().get("/store-twice")
    assert response.status_code == 500
    assert "Exception on /store-twice" in debug_logs.text
    assert "IntegrityError" in debug_logs.text
    for hidden in (token, answer):
        assert hidden not in debug_logs.text
        assert hidden not in response.get_data(as_text=True)
