# Two commands for a fresh machine: `make demo` and `make test`. Both install what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MODELS ?= models
PYTEST := $(BIN)/python -m pytest

.PHONY: install demo train test test-unit test-model test-integration bench clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(INSTALLED)

# Train on demo data (generated on first use) and print the report and the bundle's place.
demo: $(INSTALLED)
	$(BIN)/python -m training --out $(MODELS)

# Train on real Kaggle CSVs: make train DATA=path/to/csvs
train: $(INSTALLED)
	$(BIN)/python -m training --data $(DATA) --out $(MODELS)

test: $(INSTALLED)
	$(PYTEST)

test-unit: $(INSTALLED)
	$(PYTEST) -m unit

test-model: $(INSTALLED)
	$(PYTEST) -m model

test-integration: $(INSTALLED)
	$(PYTEST) -m integration

# Feature computation and training at 300,000 demo clients; results in benchmarks/results/.
bench: $(INSTALLED)
	$(BIN)/python benchmarks/training_speed.py --clients $(or $(CLIENTS),300000)

clean:
	rm -rf $(VENV) data/demo $(MODELS) .pytest_cache
