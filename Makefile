# Attune: the two commands a newcomer needs are `make run` and `make test`.
# Everything else is set up by them from this repository's own files.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PROTOS := $(wildcard proto/attune/v1/*.proto)
ATTUNE_ADDRESS ?= 127.0.0.1:50051
ATTUNE_DATABASE_URL ?= sqlite:///var/attune.db

.PHONY: help run test lint typecheck unit gen bench proto-lint clean

help:
	@echo "make run    - set up, seed a demo catalog if the database is empty, start the service"
	@echo "make test   - set up and run the whole suite (lint, types, unit, storage, end-to-end)"
	@echo "make unit   - the fast tier only: no database, no server (pytest -m 'not db and not e2e')"
	@echo "make bench  - run the benchmarks and write docs/benchmarks.md"
	@echo "make gen    - regenerate the gRPC code in attune/v1 from proto/"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# One source (proto/), one home (attune/v1/); tests/test_generated_code.py fails when it is stale.
gen: $(STAMP)
	$(PY) -m service.codegen

run: $(STAMP)
	mkdir -p var
	ATTUNE_DATABASE_URL=$(ATTUNE_DATABASE_URL) $(VENV)/bin/attune db upgrade
	ATTUNE_DATABASE_URL=$(ATTUNE_DATABASE_URL) $(VENV)/bin/attune serve --address $(ATTUNE_ADDRESS) --seed-demo-if-empty

NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# buf lint (STANDARD rules, buf.yaml) on the API contract.
proto-lint: $(NODE_STAMP)
	npx --no-install buf lint

lint: $(STAMP) proto-lint
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(STAMP)
	$(PY) -m mypy

test: $(STAMP) lint typecheck
	$(PY) -m pytest

unit: $(STAMP)
	$(PY) -m pytest -m "not db and not e2e"

bench: $(STAMP)
	$(PY) -m bench.run --out docs/benchmarks.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
