# rettighedsbot — `make run` starts the bot, `make test` runs every test. Both set up what is
# missing first and skip what is already up to date.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV       := .venv
VENV_RASA  := .venv-rasa
PY         := $(VENV)/bin/python
RASA       := $(VENV_RASA)/bin/rasa
MODEL      := models/rettighedsbot.tar.gz
export RASA_TELEMETRY_ENABLED := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1

RASA_INPUTS := config.yml bot/domain.yml bot/e5_featurizer.py $(wildcard bot/data/*.yml) \
               $(wildcard bot/data/nlu/*.yml) \
               bot/data/generated_kommuner.yml

.PHONY: help run test test-fast test-production venvs browser npm services index train validate \
        bench lint clean

help:
	@echo "make run    set up, train/index if needed, start Rasa :5005, actions :5055, web :8000"
	@echo "make test   set up, then run the whole test suite"

run: venvs index train
	@$(PY) scripts/stack.py

test: venvs browser npm services index train lint
	@echo "==> running the test suite"
	@$(PY) -m pytest -ra

test-fast: venvs index
	@$(PY) -m pytest -ra -m "not integration and not browser"

# The production profile alone (two engines on throwaway PostgreSQL + Redis; `make test` runs it too).
test-production: venvs services index train
	@$(PY) -m pytest -ra -m production

venvs: $(VENV)/.installed $(VENV_RASA)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	@echo "==> creating $(VENV) (Python 3.11): the package, action server, web app, tests"
	@test -x $(PY) || python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q -c constraints.txt -e '.[dev,sentence-transformers,production]'
	@touch $@

$(VENV_RASA)/.installed: bot/requirements-rasa.txt bot/constraints-rasa.txt
	@echo "==> creating $(VENV_RASA) (Python 3.10): rasa 3.6.21 — a few minutes the first time"
	@bash scripts/find-python310.sh > /dev/null
	@test -x $(VENV_RASA)/bin/python || $$(bash scripts/find-python310.sh) -m venv $(VENV_RASA)
	@$(VENV_RASA)/bin/python -m pip install -q --upgrade 'pip<24.1'
	@$(VENV_RASA)/bin/python -m pip install -q -c bot/constraints-rasa.txt -r bot/requirements-rasa.txt
	@touch $@

# Headless Chromium for the browser tests, from Debian (no browser download from a test tool).
browser:
	@command -v chromium > /dev/null || { \
	  echo "==> installing Debian chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null; \
	  else echo "error: the browser tests need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; fi; }

# Debian's PostgreSQL and Redis for the production-profile tests, which run them as throwaway
# services in temporary folders (never the system's own services).
services: $(VENV)/.installed
	@$(PY) scripts/throwaway_services.py install

# The browser tests' npm packages (tests/package.json, pinned by tests/package-lock.json): a
# standard Rasa client (rasa-webchat) and axe-core. Node and npm from Debian when missing.
# Test-only: nothing in tests/node_modules is ever served by the web app.
NPM_STAMP := tests/node_modules/.package-lock.json

npm: $(NPM_STAMP)

$(NPM_STAMP): tests/package.json tests/package-lock.json
	@command -v npm > /dev/null || { \
	  echo "==> installing Debian nodejs and npm for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm > /dev/null; \
	  else echo "error: the browser tests need Debian's nodejs and npm: sudo apt-get install nodejs npm" >&2; exit 1; fi; }
	@echo "==> installing the browser tests' npm packages (tests/package-lock.json)"
	@cd tests && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

# The search index rebuilds itself only when the YAML or the embedder changed (manifest hash).
index: $(VENV)/.installed
	@$(PY) -m knowledge.cli index

# Generated from the kommuner, every article's questions and the hand-written NLU (to skip
# what is labelled there), so any of them changing regenerates it and so retrains the model.
GENERATED_INPUTS := knowledge/municipalities.yml knowledge/rasa_lookup.py \
                    $(wildcard knowledge/articles/*.yml knowledge/articles/*/*.yml) \
                    $(filter-out bot/data/generated_%,$(wildcard bot/data/*.yml)) \
                    $(wildcard bot/data/nlu/*.yml)

bot/data/generated_kommuner.yml: $(GENERATED_INPUTS) $(VENV)/.installed
	@$(PY) -m knowledge.cli rasa-lookup --out $@

# Rasa trains only when its inputs changed (make compares the model with its inputs).
train: $(MODEL)

$(MODEL): $(RASA_INPUTS) $(VENV_RASA)/.installed
	@echo "==> training the Rasa model (inputs changed) — about a minute or two"
	@$(RASA) train --config config.yml --domain bot/domain.yml --data bot/data \
	  --out models --fixed-model-name rettighedsbot --quiet
	@touch $@

validate: $(VENV)/.installed
	@$(VENV)/bin/rettighedsbot validate knowledge

bench: venvs index train
	@$(PY) bench/retrieval.py
	@$(PY) bench/search_latency.py
	@$(PY) bench/nlu_crossval.py
	@$(PY) bench/chat_load.py

lint: $(VENV)/.installed
	@$(VENV)/bin/ruff check knowledge actions web tests bench scripts

clean:
	rm -rf $(VENV) $(VENV_RASA) models .cache tests/node_modules
