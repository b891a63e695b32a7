# Cerchia: `make run` serves the app, `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist processes for the main test run ("auto": one per CPU, at most 8).
TEST_WORKERS ?= auto
PYTEST_ARGS ?=
# A test running longer than this prints every thread's traceback (finds hangs).
TEST_HANG_SECONDS ?= 300

# The first Python 3.12+ found: $(PYTHON), the usual names, then pyenv's versions.
find_python = $(shell for c in $(PYTHON) python3.13 python3.12 python3 python \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	  p=$$(command -v $$c 2>/dev/null) || continue; \
	  $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null && { echo $$p; break; }; \
	done)

.PHONY: help venv run test check lint format typecheck migrations messages bench clean

help:
	@echo "make run    - set up and serve Cerchia on http://$(HOST):$(PORT) with demo data"
	@echo "make test   - set up and run the whole test suite"
	@echo "make check  - lint, format check, type check, migrations check and tests"
	@echo "make format - apply ruff's formatting and safe fixes"
	@echo "Variables: HOST, PORT (make run); TEST_WORKERS, PYTEST_ARGS (make test); PYTHON"

$(PY):
	@py="$(call find_python)"; \
	if [ -z "$$py" ]; then echo "Cerchia needs Python 3.12 or newer (set PYTHON=/path/to/python3.12)." >&2; exit 1; fi; \
	echo "Creating $(VENV) with $$py"; "$$py" -m venv --clear $(VENV)

$(STAMP): pyproject.toml $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

# Links in the demo's emails point at this server unless SITE_URL says otherwise.
run: export CERCHIA_DEV := 1
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: venv
	$(BIN)/cerchia migrate --no-input
	$(BIN)/cerchia demo
	$(BIN)/cerchia serve --host $(HOST) --port $(PORT)

# Browser tests run in a second process: Playwright's event loop would break
# async_to_sync for every Channels test after it. pytest exits 5 when it
# collects nothing, which for the browser run only means "no browser tests".
test: venv
	CERCHIA_TESTING=1 $(BIN)/pytest -m "not browser" -q -n $(TEST_WORKERS) --maxprocesses=8 \
	  -o faulthandler_timeout=$(TEST_HANG_SECONDS) $(PYTEST_ARGS)
	CERCHIA_TESTING=1 $(BIN)/pytest -m browser -q -o faulthandler_timeout=$(TEST_HANG_SECONDS) \
	  $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "No browser tests collected."; exit 0; fi; exit $$rc

check: venv lint typecheck migrations test

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: venv
	CERCHIA_TESTING=1 $(BIN)/mypy cerchia

migrations: venv
	CERCHIA_TESTING=1 $(BIN)/cerchia makemigrations --check --dry-run

# Maintainers only (needs GNU gettext): refresh the Italian catalogue, then compile it. The
# compiled .mo is committed, so `make run` and `make test` never need gettext; test_i18n checks
# that the .po is complete and the .mo matches it.
messages: venv
	cd cerchia && DJANGO_SETTINGS_MODULE=cerchia.config.settings CERCHIA_TESTING=1 \
	  ../$(BIN)/django-admin makemessages -l it --no-obsolete \
	  --ignore='tests/*' --ignore='*/tests/*' -d django
	cd cerchia && DJANGO_SETTINGS_MODULE=cerchia.config.settings CERCHIA_TESTING=1 \
	  ../$(BIN)/django-admin compilemessages -l it

# The load benchmark on its own database (bench/README.md): BENCH_POSTS=1000000, or
# BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cerchia_bench for PostgreSQL.
BENCH_POSTS ?= 10000
bench: venv
	$(PY) bench/seed.py --posts $(BENCH_POSTS) --if-missing
	$(PY) bench/load.py --posts $(BENCH_POSTS)

clean:
	rm -rf $(VENV) var build *.egg-info
