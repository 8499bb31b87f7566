"""Command-line commands, run through Flask's CLI runner."""

from sqlalchemy import create_engine, inspect

from tests.conftest import MINI_RUBRICS, REAL_RUBRICS, template_url


def test_db_upgrade_creates_the_schema(tmp_path, migrated_db):
    from tests.conftest import make_app

    app = make_app(tmp_path, migrated_db, DATABASE_URL=f"sqlite:///{tmp_path / 'new.sqlite'}")
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "Created the database at" in result.output
    tables = set(inspect(create_engine(f"sqlite:///{tmp_path / 'new.sqlite'}")).get_table_names())
    assert {"results", "result_scores", "quiz_links", "users", "alembic_version"} <= tables


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    from quizapp.storage.db import alembic_config

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def test_db_upgrade_says_whether_it_created_upgraded_or_did_nothing(tmp_path, migrated_db):
    from tests.conftest import make_app

    path = tmp_path / "new.sqlite"
    app = make_app(tmp_path, migrated_db, DATABASE_URL=f"sqlite:///{path}")
    runner = app.test_cli_runner()
    head = head_revision()

    created = runner.invoke(args=["db", "upgrade", "--revision", "0007"])
    assert created.exit_code == 0, created.output
    assert created.output == f"Created the database at {path} (schema 0007).\n"

    upgraded = runner.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.output == f"Upgraded the database to schema {head} (it was at 0007).\n"

    again = runner.invoke(args=["db", "upgrade"])
    assert again.output == "Database is up to date.\n"
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        from alembic.migration import MigrationContext

        assert MigrationContext.configure(connection).get_current_revision() == head
    engine.dispose()


def test_db_upgrade_of_a_migrated_database_does_nothing(runner):
    """The fixtures' database is migrated already: on SQLite and on PostgreSQL alike."""
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert result.output == "Database is up to date.\n"


def test_db_upgrade_names_a_server_database_without_its_password():
    from quizapp.cli.database import where

    url = "postgresql+psycopg://quiz:s3cret@db.example.org:5432/quizapp"
    assert where(url) == "postgresql+psycopg://quiz:***@db.example.org:5432/quizapp"
    assert "s3cret" not in where(url)


def test_rubric_check_prints_a_summary(runner):
    result = runner.invoke(
        args=["rubric", "check", str(REAL_RUBRICS / "technical-project-manager.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert "technical-project-manager 2.2.0" in result.output
    assert "7 dimensions, 42 items, 7 scenarios, about 10 minutes" in result.output
    assert "- risk: Risk awareness (weight 1; 6 items, 3 reverse-keyed)" in result.output
    assert "no warnings" in result.output


def test_rubric_check_lists_lint_warnings_with_their_place(runner):
    old = REAL_RUBRICS / "archive" / "technical-project-manager-1.0.0.yaml"
    result = runner.invoke(args=["rubric", "check", str(old)])
    assert result.exit_code == 0, result.output  # warnings, not errors
    out = result.output
    assert "warning: dimensions[0].items: 3 plus-keyed and 1 reverse-keyed" in out
    assert "warning: scenarios[1].options: the longest option is 2.11 times the shortest" in out
    assert "the best-scoring option is also the longest in 5 of 5 scenarios" in out
    assert "warning: not_fit_criteria[0]: names no fit criterion it opposes" in out
    assert "dimensions[2].items[0].text: reads at grade 12.2" in out


def test_rubric_check_without_files_checks_the_loaded_rubrics(runner):
    result = runner.invoke(args=["rubric", "check"])
    assert result.exit_code == 0
    assert "mini 0.1: Mini quiz" in result.output


def test_rubric_check_fails_on_a_broken_file(runner, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        (MINI_RUBRICS / "mini.yaml").read_text().replace("keyed: minus", "keyed: maybe")
    )
    result = runner.invoke(args=["rubric", "check", str(broken)])
    assert result.exit_code == 1
    assert (
        f"{broken}: dimensions[0].items[3].keyed: must be one of 'plus' or 'minus', not 'maybe'"
        in result.output
    )


def test_migrations_match_the_models(migrated_db):
    """Autogenerate finds nothing to add: the migrations and the models agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from quizapp.storage.db import Base

    engine = create_engine(template_url(migrated_db))
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []


def test_migrations_go_all_the_way_down_and_up_again(tmp_path, migrated_db):
    """Every migration's downgrade works, on whichever database the suite runs on."""
    from alembic import command

    from quizapp.storage.db import alembic_config, upgrade
    from tests.conftest import fresh_database_url

    url = fresh_database_url(tmp_path, migrated_db)
    command.downgrade(alembic_config(url), "base")
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    upgrade(url)
    engine = create_engine(url)
    assert {"results", "cohort_releases", "staff_sessions"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()
