# Siloscope: `make run` starts the product, `make test` proves it. Both set everything up first.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Two environments, one product. The core (bot/, actions/ on rasa-sdk, analytics/, the web service, the
# `siloscope` command) runs on a supported Python; the Rasa server alone runs in its own environment,
# because Rasa 3.6 supports no Python newer than 3.10 and pins SQLAlchemy 1.4, sanic 21 and numpy < 1.25.
VENV      := .venv
BIN       := $(VENV)/bin
PY        := $(BIN)/python
RASA_VENV := .venv-rasa
RASA_BIN  := $(RASA_VENV)/bin
RASA_PY   := $(RASA_BIN)/python
# The first of the candidates that runs and is the version asked for (a pyenv shim may not run).
first_python = $(firstword $(foreach p,$(1),$(shell "$(p)" -c 'import sys; print("ok" if $(2) else "")' 2>/dev/null | sed 's|ok|$(p)|')))
# The core's Python (3.12 or newer): PYTHON=..., else python3.12/python3.13 on PATH, else pyenv's.
PY312_CANDIDATES := $(shell command -v python3.12 python3.13 2>/dev/null) $(sort $(wildcard $(HOME)/.pyenv/versions/3.12.*/bin/python $(HOME)/.pyenv/versions/3.13.*/bin/python))
ifeq ($(origin PYTHON),undefined)
PYTHON := $(call first_python,$(PY312_CANDIDATES),sys.version_info[:2] >= (3, 12))
endif
# Rasa's Python (3.10): RASA_PYTHON=..., else a python3.10 on PATH, else the newest 3.10 pyenv has installed.
PY310_CANDIDATES := $(shell command -v python3.10 2>/dev/null) $(sort $(wildcard $(HOME)/.pyenv/versions/3.10.*/bin/python))
ifeq ($(origin RASA_PYTHON),undefined)
RASA_PYTHON := $(call first_python,$(PY310_CANDIDATES),sys.version_info[:2] == (3, 10))
endif
# Hide pip's noise about this machine's optional local mirrors; keep everything else.
PIP_QUIET := grep -v -e "^WARNING: Location 'file:" -e "is being installed using the legacy" || true
TRAINING_INPUTS := config.yml domain.yml $(shell find data -type f -name '*.yml' 2>/dev/null | sort)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: help setup python venv model browser servers run test check lint validate unit test-postgres stories nlu bench soak eval lock clean

help:
	@echo "make run    set up, then start Rasa (5005), the action server (5055) and the web service (8000)"
	@echo "make test   set up, then lint, validate the training data, run every test and the test stories"
	@echo "make check  ruff, mypy and the fast tests (no servers, browser or database server): under two minutes"
	@echo "make setup  both virtualenvs (core, Rasa), pinned dependencies, database schema and a trained model (only when needed)"
	@echo "make test-postgres  the store's tests on a real PostgreSQL server (and Redis), as make test runs them"
	@echo "make soak           a longer fault run: many customers, kill -9 Rasa and actions, database outages"
	@echo "make bench  speed and memory benchmarks, as ratios to a reference measured in the same run"
	@echo "make eval   attribution and sentiment on every shared labelled set (and DIR=\"folders or CSVs\"), with baselines"
	@echo "make nlu    intent quality: the held-out confusions (tests/test_nlu.yml) and 3-fold cross-validation"
	@echo "make lint   ruff and mypy"

python:
	@if [ -z "$(PYTHON)" ] || ! "$(PYTHON)" -c 'import sys; assert sys.version_info[:2] >= (3, 12)' 2>/dev/null; then \
	  echo "Siloscope's core needs Python 3.12 or newer."; \
	  echo "Install it (e.g. 'pyenv install 3.12' or your system's python3.12 package), then run again,"; \
	  echo "or point to it: make $(MAKECMDGOALS) PYTHON=/path/to/python3.12"; \
	  exit 1; \
	fi
	@if [ -z "$(RASA_PYTHON)" ] || ! "$(RASA_PYTHON)" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then \
	  echo "The Rasa server needs Python 3.10 (Rasa 3.6 supports no newer Python)."; \
	  echo "Install it (e.g. 'pyenv install 3.10' or your system's python3.10 package), then run again,"; \
	  echo "or point to it: make $(MAKECMDGOALS) RASA_PYTHON=/path/to/python3.10"; \
	  exit 1; \
	fi

# Each virtualenv is (re)installed only when its dependency files change.
$(VENV)/.installed: pyproject.toml constraints.txt | python
	@# A .venv from before the split runs Python 3.10: it is replaced, not upgraded.
	@$(PY) -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null || { rm -rf $(VENV); "$(PYTHON)" -m venv $(VENV); }
	@echo "Installing the core's pinned dependencies into $(VENV) (first time: a few minutes)..."
	@$(PY) -m pip install -q -c constraints.txt -e ".[dev]" 2>&1 | $(PIP_QUIET)
	@$(PY) -m pip check
	@touch $@

# The project is not installed here (its core needs Python 3.12): Rasa is started from the project root
# with `python -m rasa_server.main`, and pytest puts the root on the path (pyproject.toml).
$(RASA_VENV)/.installed: requirements-rasa.txt constraints-rasa.txt | python
	@test -x $(RASA_PY) || "$(RASA_PYTHON)" -m venv $(RASA_VENV)
	@echo "Installing Rasa's pinned dependencies into $(RASA_VENV) (first time: several minutes)..."
	@$(RASA_PY) -m pip install -q -c constraints-rasa.txt -r requirements-rasa.txt 2>&1 | $(PIP_QUIET)
	@$(RASA_PY) -m pip check
	@touch $@

venv: $(VENV)/.installed $(RASA_VENV)/.installed

# Training runs only when the training data or the pipeline changed (content hash, not timestamps).
# The new model replaces the old one in a single rename, so a running Rasa never sees no model.
model: venv
	@hash=$$(cat $(TRAINING_INPUTS) | sha256sum | cut -d' ' -f1); \
	if [ -f models/.fingerprint ] && [ "$$(cat models/.fingerprint)" = "$$hash" ] && ls models/*.tar.gz >/dev/null 2>&1; then \
	  echo "Model is up to date."; \
	else \
	  echo "Training the Rasa model (training data or config changed)..."; \
	  rm -rf models/.training; \
	  $(RASA_BIN)/rasa train --fixed-model-name siloscope --out models/.training --quiet; \
	  mv -f models/.training/siloscope.tar.gz models/siloscope.tar.gz; \
	  rm -rf models/.training; \
	  echo "$$hash" > models/.fingerprint; \
	fi

setup: venv model
	@$(BIN)/siloscope migrate

# Browser tests drive Debian's Chromium (never a downloaded browser build).
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; \
	  fi; \
	fi

# PostgreSQL and Redis tests run Debian's servers, started by the tests on 127.0.0.1 in temp dirs.
servers:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's postgresql and redis-server for the database tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server >/dev/null; \
	  else \
	    echo "The database tests need Debian's servers: sudo apt-get install postgresql redis-server"; exit 1; \
	  fi; \
	fi

# A newcomer's first look: the default (SQLite) store gets synthetic feedback while it is empty,
# so the reports have something to show; customers' refs start with SYN-. Never on DATABASE_URL.
run: setup
	@if [ -z "$${DATABASE_URL:-}" ]; then $(BIN)/siloscope seed --rows 5000 --if-empty; fi
	@$(BIN)/siloscope run

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy

# Before every commit: lint, types, and the tests not marked slow (tests/conftest.py says which are).
check: lint
	$(BIN)/pytest -q -m "not slow"

validate: venv
	$(RASA_BIN)/rasa data validate --quiet

# The core's tests in .venv; tests/rasa_server (the code that runs inside Rasa) in Rasa's own environment,
# without the core's fixtures (tests/conftest.py needs the core's store).
unit: setup browser servers
	$(BIN)/pytest
	$(RASA_BIN)/pytest --confcutdir=tests/rasa_server tests/rasa_server

# The store's own tests again, each on a fresh database of a real PostgreSQL server (tests/faults/test_spool_*
# run on SQLite and PostgreSQL in every pytest run).
POSTGRES_TESTS := tests/bot/test_store.py tests/bot/test_feedback.py tests/postgres tests/faults/test_restart_postgres.py
test-postgres: setup servers
	$(BIN)/pytest --postgres $(POSTGRES_TESTS)

stories: setup
	$(RASA_BIN)/rasa test core --stories tests/test_stories.yml --fail-on-prediction-errors --out results/stories --quiet

# Intent quality as docs/quality.md ("NLU") reports it: the held-out confusions of tests/test_nlu.yml on the
# trained model, then 3-fold cross-validation of data/ (it trains three NLU models: several minutes, so not
# part of make test; make test checks the same confusions through the running bot, tests/e2e).
nlu: setup
	$(RASA_BIN)/rasa test nlu --nlu tests/test_nlu.yml --out results/nlu --quiet
	$(RASA_BIN)/rasa test nlu --nlu data/nlu.yml --cross-validation --folds 3 --out results/nlu-cv --quiet

test: setup browser servers lint validate unit test-postgres stories
	@echo "All checks passed."

# The fault suite for longer, bounded by customers, rounds and minutes (127.0.0.1 only, scratch databases):
# SQLite with the spool, then PostgreSQL + Redis. Prints answers sent/stored/lost/duplicated and recovery times.
SOAK_ARGS ?= --customers 40 --parallel 6 --rounds 2 --max-minutes 30
soak: setup servers
	$(BIN)/python -m tests.faults.soak $(SOAK_ARGS)
	$(BIN)/python -m tests.faults.soak --postgres $(SOAK_ARGS)

bench: setup
	$(BIN)/siloscope bench chat
	$(BIN)/siloscope bench attribution
	$(BIN)/siloscope bench adapt
	$(BIN)/siloscope bench report --rows 100000
	$(BIN)/siloscope bench report --rows 1000000

# Quality on real data: every CSV in ../shared/datasets (found beside the checkout or a parent folder) plus DIR,
# one table with the keyword / TextBlob / VADER baselines, coverage and calibration. Example: make eval DIR=docs/eval
eval: venv
	$(BIN)/siloscope eval all $(DIR)

# After changing dependencies in pyproject.toml or requirements-rasa.txt: pin each environment's whole
# resolved set for every machine.
lock: venv
	@$(PY) -m pip freeze --exclude-editable | grep -v -e '^siloscope' > constraints.txt
	@$(RASA_PY) -m pip freeze > constraints-rasa.txt
	@echo "constraints.txt and constraints-rasa.txt updated; commit them."

clean:
	rm -rf $(VENV) $(RASA_VENV) models/*.tar.gz models/.fingerprint results .pytest_cache .ruff_cache
