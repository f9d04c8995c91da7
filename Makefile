# Two commands for a fresh machine: `make demo` and `make test`. Both install what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MODELS ?= models
PYTEST := $(BIN)/python -m pytest
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: install chromium demo up down train lint format test test-unit test-model test-integration test-browser bench clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(INSTALLED)

# Browser tests drive Debian's Chromium: Playwright's own browser download does not work here.
chromium:
	@command -v chromium >/dev/null || ($(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium)

# The whole local stack on demo data: broker, topics, client history, ingest API, scorer, and a
# replay of demo applications with decisions printed as they arrive. Ctrl-C stops everything.
# (First run: generates demo data and trains a bundle, printing its report.)
demo: $(INSTALLED)
	MODELS_DIR=$(MODELS) $(BIN)/python deploy/stack.py demo

# The same stack in the background; `make down` stops it.
up: $(INSTALLED)
	MODELS_DIR=$(MODELS) $(BIN)/python deploy/stack.py up

down: $(INSTALLED)
	$(BIN)/python deploy/stack.py down

# Train on real Kaggle CSVs: make train DATA=path/to/csvs
train: $(INSTALLED)
	$(BIN)/python -m training --data $(DATA) --out $(MODELS) --protocol repeated

# ruff (settings in pyproject.toml): a lint error or an unformatted file fails `make test`.
lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Formats the tree and applies ruff's safe fixes.
format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint chromium
	$(PYTEST)

test-unit: $(INSTALLED)
	$(PYTEST) -m unit

test-model: $(INSTALLED)
	$(PYTEST) -m model

test-integration: $(INSTALLED)
	$(PYTEST) -m integration

test-browser: $(INSTALLED) chromium
	$(PYTEST) -m browser

# Feature computation and training at 300,000 demo clients; results in benchmarks/results/.
bench: $(INSTALLED)
	$(BIN)/python benchmarks/training_speed.py --clients $(or $(CLIENTS),300000)

clean:
	rm -rf $(VENV) data/demo $(MODELS) .pytest_cache
