# Two commands matter: `make run` (the whole product against the sandbox) and `make test`.
# Every target installs what it needs first; `make install` is idempotent.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export WAREHOUSE_DIR ?= $(CURDIR)/data
export DBT_PROJECT_DIR := $(CURDIR)/dbt_project
export DBT_PROFILES_DIR := $(CURDIR)/dbt_project

.PHONY: install manifest lake-schema run test lint typecheck pytest bench dev sandbox clean dashboard chromium test-dashboards screenshots

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# dbt's manifest is a build artefact the Dagster definitions load; parse it once per change of the project.
manifest: install
	$(BIN)/python -m pipelines.assets.dbt

# dbt's copy of the lake schemas (macros/healthie/lake_schema.sql), generated from the stream specs.
lake-schema: install
	$(BIN)/python -m pipelines.lake_schema

run: install manifest
	$(BIN)/python -m pipelines.dev.demo

test: install lint typecheck pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

pytest: install manifest
	$(BIN)/pytest -q -m "not browser"

bench: install manifest
	$(BIN)/python -m bench

dev: install manifest
	mkdir -p .dagster_home && test -f .dagster_home/dagster.yaml || cp deploy/dagster.yaml .dagster_home/dagster.yaml
	DAGSTER_HOME=$${DAGSTER_HOME:-$(CURDIR)/.dagster_home} $(BIN)/dagster dev -w workspace.yaml

# The dashboards (README: Dashboards) on http://127.0.0.1:8501 over $WAREHOUSE_DIR/warehouse.duckdb, read-only.
dashboard: install
	$(BIN)/streamlit run dashboards/app.py --server.address 127.0.0.1 --server.port 8501

# Debian's Chromium for the browser tests (never a downloaded browser build); the machine runs as root.
chromium:
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# Every dashboard page in headless Chromium against a test sync (pytest marker `browser`).
test-dashboards: install manifest chromium
	$(BIN)/pytest -q -m browser tests/dashboards

# docs/img/*.png: each page over a demo-scale sync, as the browser tests see it.
screenshots: install manifest chromium
	DASHBOARD_SCREENSHOTS=$(CURDIR)/docs/img $(BIN)/pytest -q -m browser tests/dashboards -k test_page_renders

sandbox: install
	$(BIN)/healthie-sandbox serve --port 8765

clean:
	rm -rf data .dagster_home dbt_project/target dbt_project/logs
