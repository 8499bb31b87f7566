"""Start-up: configuration, secret keys, refusing a broken rubric, and logs without tokens."""

import logging

import pytest

from quizapp import StartupError, create_app
from quizapp.config import from_environment
from quizapp.logs import RedactFilter, redact
from tests.conftest import MINI_RUBRICS


def base_config(tmp_path, **changes):
    config = {
        "SECRET_KEY": "x",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite",
        "RUBRICS_DIR": str(MINI_RUBRICS),
        "DEFAULT_RUBRIC": "mini",
    }
    config.update(changes)
    return config


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(StartupError, match="QUIZAPP_SECRET_KEY is not set"):
        create_app(base_config(tmp_path, SECRET_KEY=None, ENV="production"))


def test_development_keeps_a_generated_secret_in_the_instance_folder(tmp_path, monkeypatch):
    from quizapp import config as config_module

    key = config_module.secret_key({"ENV": "development"}, str(tmp_path))
    assert len(key) == 64
    assert config_module.secret_key({"ENV": "development"}, str(tmp_path)) == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_an_invalid_rubric_stops_the_app_with_one_readable_message(tmp_path):
    (tmp_path / "bad.yaml").write_text(
        (MINI_RUBRICS / "mini.yaml").read_text().replace("weight: 2", "weight: heavy")
    )
    with pytest.raises(StartupError) as caught:
        create_app(base_config(tmp_path, RUBRICS_DIR=str(tmp_path)))
    message = str(caught.value)
    assert message.startswith("quizapp cannot start. Invalid rubric")
    assert "bad.yaml: dimensions[0].weight: input should be a valid number" in message
    assert "Traceback" not in message


def test_unknown_default_rubric(tmp_path):
    with pytest.raises(StartupError, match="QUIZAPP_DEFAULT_RUBRIC is 'nope'"):
        create_app(base_config(tmp_path, DEFAULT_RUBRIC="nope"))


def test_environment_is_read_with_one_prefix():
    found = from_environment(
        {
            "QUIZAPP_COHORT_MIN_SIZE": "7",
            "QUIZAPP_ENV": "production",
            "DATABASE_URL": "postgres://u@h/db",
            "OTHER": "x",
        }
    )
    assert found == {"COHORT_MIN_SIZE": 7, "ENV": "production", "DATABASE_URL": "postgres://u@h/db"}


def test_cohort_minimum_cannot_go_below_three(tmp_path):
    with pytest.raises(StartupError, match="at least 3"):
        create_app(base_config(tmp_path, COHORT_MIN_SIZE=2))


def test_logs_do_not_carry_result_tokens():
    token = "PIKgoLMnDbCop_3wdizEcX5xmBSh1UjU"
    assert redact(f'"GET /r/{token} HTTP/1.1" 200') == '"GET /r/<redacted> HTTP/1.1" 200'
    record = logging.LogRecord(
        "werkzeug", logging.INFO, "", 0, '"%s %s" %s', ("GET", f"/r/{token}.json", 200), None
    )
    RedactFilter().filter(record)
    assert token not in record.getMessage()


def test_request_log_lines_are_redacted(client, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    logging.getLogger("werkzeug").info('"GET /r/%s HTTP/1.1" 200', "A" * 32)
    assert "A" * 32 not in caplog.text
    assert "/r/<redacted>" in caplog.text
