# Two commands matter: `make run` and `make test`. Everything else is a helper.
# Only Python 3.11 is needed on the machine: the first target builds `.venv`.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Stamps make pip run only when a requirements file changed since the last install.
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev

.DEFAULT_GOAL := help
.PHONY: help run test test-fast lint format bench clean distclean

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

run: $(RUNTIME_STAMP)  ## Migrate, import the article, start web + worker + scheduler
	$(BIN)/python scripts/run.py

test: $(DEV_STAMP)  ## Run the whole test suite
	$(BIN)/python -m pytest

test-fast: $(DEV_STAMP)  ## The suite without the browser and process-starting tests
	$(BIN)/python -m pytest -m "not slow and not browser"

lint: $(DEV_STAMP)  ## ruff check + ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP)  ## Apply ruff's formatting and safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(DEV_STAMP)  ## Benchmarks, each beside its baseline (not part of `make test`)
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
	rm -rf $(VENV) instance
