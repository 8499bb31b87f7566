# make run: set up on a fresh machine and serve on 127.0.0.1:$(PORT).
# make test: set up the same way and run the whole test suite, on SQLite and then on PostgreSQL.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
WORKERS ?= 2
FLASK := $(BIN)/flask --app quizapp
# The PostgreSQL pass creates its test databases on this server (see tests/conftest.py).
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

.PHONY: run test setup lint format db admin-hint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

setup: $(VENV)/.installed

db: setup
	$(FLASK) db upgrade

run: db
	@$(FLASK) users admin-hint 2>/dev/null || true
	$(BIN)/gunicorn --config python:quizapp.gunicorn_conf --bind 127.0.0.1:$(PORT) \
		--workers $(WORKERS) "quizapp:create_app()"

test: setup node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@echo "== the whole suite on SQLite =="
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	@if [ -n "$$CI" ] || pg_isready -q -h 127.0.0.1 2>/dev/null; then \
		echo "== the whole suite again on PostgreSQL =="; \
		QUIZAPP_TEST_DATABASE_URL="$(TEST_POSTGRES_URL)" $(BIN)/python -m pytest $(PYTEST_ARGS); \
	else \
		echo "PostgreSQL is not running on 127.0.0.1:5432: the PostgreSQL pass was NOT run."; \
	fi

lint:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
