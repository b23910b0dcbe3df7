# Two commands matter: `make run` and `make test`. Everything else is a helper.
# Only Python 3.11 is needed on the machine: the first target builds `.venv`.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Stamps make pip run only when a requirements file changed since the last install.
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
# axe-core for the browser tests (tests/e2e/node); npm writes this file on every install.
E2E_NODE := tests/e2e/node
E2E_STAMP := $(E2E_NODE)/node_modules/.package-lock.json
# Lighthouse 12 for `make audit` (tools/audit).
AUDIT_NODE := tools/audit
AUDIT_STAMP := $(AUDIT_NODE)/node_modules/.package-lock.json

.DEFAULT_GOAL := help
# The message catalogues: each translations/<lang>/LC_MESSAGES/messages.po compiled to .mo (never committed).
MO_FILES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

.PHONY: help run test test-fast lint format bench bench-parts screenshots audit clean distclean translations

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	@touch $@ $(RUNTIME_STAMP)

# Without npm the browser tests skip (and fail under CI=true, where .ci/run installs it).
$(E2E_STAMP): $(E2E_NODE)/package.json $(E2E_NODE)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix $(E2E_NODE) --no-audit --no-fund --loglevel=error; \
	else echo "make: npm not found; the axe-core checks in tests/e2e will not run"; fi

$(AUDIT_STAMP): $(AUDIT_NODE)/package.json $(AUDIT_NODE)/package-lock.json
	npm ci --prefix $(AUDIT_NODE) --no-audit --no-fund --loglevel=error

translations: $(MO_FILES)  ## Compile the message catalogues (done by run and test too)

%.mo: %.po | $(RUNTIME_STAMP)
	$(BIN)/pybabel compile -i $< -o $@

run: $(RUNTIME_STAMP) translations  ## Migrate, import the article, start web + worker + scheduler
	$(BIN)/python scripts/run.py

test: $(DEV_STAMP) $(E2E_STAMP) translations  ## Run the whole test suite (with the browser journeys)
	$(BIN)/python -m pytest

test-fast: $(DEV_STAMP) translations  ## The suite without the browser and process-starting tests
	$(BIN)/python -m pytest -m "not slow and not browser"

lint: $(DEV_STAMP)  ## ruff check + ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP)  ## Apply ruff's formatting and safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

screenshots: $(DEV_STAMP) $(E2E_STAMP)  ## Run the journeys and save their pictures to docs/screenshots
	SCREENSHOT_DIR=docs/screenshots $(BIN)/python -m pytest tests/e2e/test_journeys.py -q

audit: $(RUNTIME_STAMP) $(AUDIT_STAMP)  ## Lighthouse on article, thanks, questionnaire, login: median of 3 runs
	CHROME_PATH=$${CHROME_PATH:-/usr/bin/chromium} $(BIN)/python scripts/audit.py

bench: $(DEV_STAMP) translations  ## Every figure of docs/benchmarks.md on the production stack, beside its baseline (~15 min; needs wrk, PostgreSQL, Redis)
	$(BIN)/python -m bench.suite

bench-parts: $(DEV_STAMP)  ## The in-process benchmarks, one part at a time (not part of `make bench`)
	$(BIN)/python -m bench.page_render
	$(BIN)/python -m bench.inquiry_throughput
	$(BIN)/python -m bench.inbox_scale
	$(BIN)/python -m bench.export_scale
	$(BIN)/python -m bench.sqlite_burst
	$(BIN)/python -m bench.slow_clients  # needs the caddy binary

clean:  ## Remove caches and bench output (keeps .venv and instance/)
	rm -rf .pytest_cache .ruff_cache .hypothesis bench/results
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean  ## Also remove .venv and instance/ (local database, secret key, outbox)
	rm -rf $(VENV) instance $(E2E_NODE)/node_modules $(AUDIT_NODE)/node_modules
