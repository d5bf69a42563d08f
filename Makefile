# iro-ledger developer and CI entry points (GNU make).
#
#   make run        install into .venv, then run the demo (HOST=127.0.0.1 PORT=8000)
#   make test       install, then lint, type-check, layer contracts and pytest
#   make screenshots  a PNG of each dashboard page, desktop and phone, in screenshots/
#   make lint | typecheck | imports | pytest | bench
#
# Needs only python3 >= 3.11 and access to PyPI. The install step re-runs only
# when pyproject.toml is newer than the stamp file inside .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.iro-ledger-installed
# The dashboard's look (GOV.UK Frontend), the dispute PDF's font (DejaVu Sans) and the browser
# tests' accessibility checker (axe-core) come from the npm registry at install time (never
# committed, never a CDN); without npm the dashboard is served plain, the PDF uses Debian's
# fonts-dejavu, else a core font, and the browser tests cannot run.
WEB_ASSETS := $(VENV)/web-assets
GOVUK  := $(WEB_ASSETS)/node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css
FONT   := $(WEB_ASSETS)/node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf
AXE    := $(WEB_ASSETS)/node_modules/axe-core/axe.min.js
# One npm install for all of them: a later `npm install --no-save` would prune the others.
NPM_PACKAGES := govuk-frontend@5 dejavu-fonts-ttf@2 axe-core@4
# The browser tests drive Debian's Chromium (Playwright downloads no browser here).
CHROMIUM := /usr/bin/chromium
# ruff is given only the source trees that exist, so a missing bench/ is no error.
LINT_PATHS := $(wildcard src tests bench)
# Where `make run` serves the demo.
HOST   ?= 127.0.0.1
PORT   ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install run test lint typecheck imports pytest bench bench-national screenshots clean

help:
	@echo "make run        install into $(VENV) and run the demo on http://$(HOST):$(PORT)"
	@echo "                (make run PORT=8080 HOST=0.0.0.0 to listen elsewhere)"
	@echo "make test       lint, type-check, layer contracts, then the test suite"
	@echo "make screenshots  a PNG of each dashboard page (desktop and phone) in screenshots/"
	@echo "make lint | typecheck | imports | pytest | bench | bench-national | clean"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "iro-ledger needs Python >= 3.11; try make PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

# ocel-test is pm4py (AGPL), used only by the test that reads the OCEL export with it.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -e '.[dev,ocel-test]'
	@touch $@

$(GOVUK) $(FONT) $(AXE): | $(BIN)/python
	@if command -v npm >/dev/null 2>&1; then \
		npm install --no-save --no-audit --no-fund --prefix $(WEB_ASSETS) $(NPM_PACKAGES) \
		|| echo "npm could not install $(NPM_PACKAGES): the dashboard will be plain"; \
	else \
		echo "npm not found: skipping GOV.UK Frontend (pages still work, plain) and axe-core"; \
	fi

# Debian's Chromium for the browser tests, when it is missing and we may install it.
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		(apt-get install -y -qq chromium >/dev/null 2>&1 \
		 || (apt-get update -qq && apt-get install -y -qq chromium)) \
		|| echo "apt-get could not install chromium: the browser tests cannot run"; \
	else \
		echo "chromium not found (install Debian's chromium as root): the browser tests cannot run"; \
	fi

install: $(STAMP) $(GOVUK) $(FONT) $(AXE) $(CHROMIUM)

run: install
	$(BIN)/iro-ledger demo --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check $(LINT_PATHS)

typecheck: install
	$(BIN)/mypy --strict src

imports: install
	$(BIN)/lint-imports

# The suite runs in one process per core (pytest-xdist, `-n auto`), a whole test file to a
# process, so each module's shared setup (a seeded store, the live dashboard and its browser) is
# built once. Every fixture is safe side by side: each test gets its own database, temporary
# directory and free port. `make pytest PYTEST_WORKERS=0` runs the suite in one process.
PYTEST_WORKERS ?= auto
pytest: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

# Each step runs in turn and the first failure stops the run.
test: install
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory typecheck
	$(MAKE) --no-print-directory imports
	$(MAKE) --no-print-directory pytest

# Benchmarks against the limit (bench/README.md): PostgreSQL at IRO_LEDGER_TEST_DSN or
# 127.0.0.1:5432. bench-national loads at least 10M events and takes hours; never in `test`.
bench: install
	$(BIN)/python bench/run.py

bench-national: install
	$(BIN)/python bench/run.py --national

# For review by a person: each page of the dashboard, on a desktop and on a phone.
screenshots: install
	$(BIN)/python -m tests.browser.screenshots screenshots

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .import_linter_cache
