# make run: set up on a fresh machine and serve on 127.0.0.1:$(PORT).
# make test: set up with the test tools too and run the whole suite, on SQLite and then on PostgreSQL.

# The first Python 3.11 or newer found; PYTHON=/path/to/python overrides it.
PYTHON_CANDIDATES := python3.13 python3.12 python3.11 python3 python
ifndef PYTHON
PYTHON := $(firstword $(foreach p,$(PYTHON_CANDIDATES),$(shell command -v $(p) >/dev/null 2>&1 \
	&& $(p) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo $(p))))
endif
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
WORKERS ?= 2
FLASK := $(BIN)/flask --app quizapp
# pip keeps its downloads inside .venv: setting up writes nothing outside the project.
PIP := $(BIN)/python -m pip --cache-dir $(VENV)/.pip-cache
# The PostgreSQL pass creates its test databases on this server (see tests/conftest.py).
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

.PHONY: run test bench setup setup-test lint format db admin-hint clean

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "quizapp needs Python 3.11 or newer, and none was found (tried: $(PYTHON_CANDIDATES))." >&2; \
		echo "Install one, or name it: make $(MAKECMDGOALS) PYTHON=/path/to/python3.11" >&2; \
		exit 1; \
	fi
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "quizapp needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1)." >&2; \
		exit 1; \
	}
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# What serving needs (with the PostgreSQL driver and the Redis client for a shared set-up);
# the test tools come only with make test. The test set includes everything serving needs,
# so installing it brings the serving stamp up to date too.
$(VENV)/.installed-run: $(BIN)/python pyproject.toml
	$(PIP) install --quiet -e ".[postgres,redis]"
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(PIP) install --quiet -e ".[postgres,redis,test]"
	touch $@ $(VENV)/.installed-run

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

setup: $(VENV)/.installed-run

setup-test: $(VENV)/.installed-test

db: setup
	$(FLASK) db upgrade

run: db
	@$(FLASK) users admin-hint 2>/dev/null || true
	$(BIN)/gunicorn --config python:quizapp.gunicorn_conf --bind 127.0.0.1:$(PORT) \
		--workers $(WORKERS) "quizapp:create_app()"

test: setup-test node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports pyproject.toml --no-cache
	@echo "== the whole suite on SQLite =="
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	@if [ -n "$$CI" ] || pg_isready -q -h 127.0.0.1 2>/dev/null; then \
		echo "== the whole suite again on PostgreSQL =="; \
		QUIZAPP_TEST_DATABASE_URL="$(TEST_POSTGRES_URL)" $(BIN)/python -m pytest $(PYTEST_ARGS); \
	else \
		echo "PostgreSQL is not running on 127.0.0.1:5432: the PostgreSQL pass was NOT run."; \
	fi

# make bench: the app's speed as ratios to a hello-world Flask app measured in the same run
# (docs/benchmarks.md). The full run seeds a million results; BENCH_ARGS=--quick takes seconds.
bench: setup-test
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

lint:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
