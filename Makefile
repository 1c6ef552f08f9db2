# civicgrid — `make run` serves the demo district, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
BENCH ?=
# pytest-xdist workers for `make test` (the suite runs on both cores of a CI machine).
TEST_WORKERS ?= 2

.PHONY: run test bench lint typecheck format setup assets migrate browser clean

run: setup assets migrate
	$(BIN)/python manage.py load_demo --if-empty
	BIN=$(BIN) HOST=$(HOST) PORT=$(PORT) WORKERS=$(WORKERS) exec scripts/serve

# `make test` and `make bench` on PostgreSQL (DATABASE_URL set) are not production, which refuses
# to start without its keys in the environment (docs/backup.md): unless given, they use throwaway ones.
# On SQLite they keep the keys in var/ (a benchmark's kept database was sealed under them).
ifdef DATABASE_URL
test bench: export CIVICGRID_SECRET_KEY ?= throwaway-secret-key-of-make-test-and-bench-only
test bench: export CIVICGRID_DATA_KEYS ?= throwaway-data-key-of-make-test-and-bench-only
endif

test: setup assets browser
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(TEST_WORKERS)

bench: setup
	$(BIN)/python -m bench $(BENCH)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/python -m mypy civicgrid

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

setup: $(VENV)/.installed node_modules/.installed

migrate: setup
	$(BIN)/python manage.py migrate --noinput

assets: staticfiles/staticfiles.json

browser:
	@scripts/ensure-browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

staticfiles/staticfiles.json: node_modules/.installed $(VENV)/.installed $(shell find civicgrid -path '*/static/*' -type f)
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

clean:
	rm -rf $(VENV) node_modules staticfiles
