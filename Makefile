# Two commands set everything up on a fresh machine with python3: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WAREHOUSE ?= warehouse/demo.duckdb
DEMO_DATA := data/demo
DEMO_CLAIMS ?= 3000

.PHONY: install demo test lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

## demo: generate a sample (truth kept apart in data/demo/truth), ingest it, print what the warehouse holds
demo: install
	$(BIN)/denials generate --claims $(DEMO_CLAIMS) --seed 7 --out $(DEMO_DATA)
	$(BIN)/denials ingest $(DEMO_DATA)/837 $(DEMO_DATA)/835 $(DEMO_DATA)/administrations \
		--warehouse $(WAREHOUSE) --quiet
	$(BIN)/denials build --warehouse $(WAREHOUSE)
	$(BIN)/denials summary --warehouse $(WAREHOUSE)

## test: lint, then every test (pytest runs the Python and dbt suites)
test: install
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check src tests bench

## bench: throughput figures (not tests)
bench: install
	$(BIN)/python bench/ingest.py --mb 100
	$(BIN)/python bench/generate.py --claims 100000
	$(BIN)/python bench/build.py --claims 100000

clean:
	rm -rf $(VENV) warehouse data target logs
