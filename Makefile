# Two commands set everything up on a fresh machine with python3: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WAREHOUSE ?= warehouse/denials.duckdb
PUBLISHED := $(basename $(WAREHOUSE)).published.duckdb
DEMO_DATA := data/demo
DEMO_CLAIMS ?= 3000
# sqlfluff renders every file with dbt; it gets a throwaway warehouse of its own, so a warehouse that is
# open elsewhere (the app, a notebook) never blocks the linter, and local data never changes what it sees.
SQLFLUFF_WAREHOUSE := target/sqlfluff/lint.duckdb
# macros/ is not listed: the dbt templater lints dbt nodes only (it skips macro files with a warning);
# every macro is linted as rendered inside the models that call it.
SQLFLUFF_PATHS := models analyses tests/dbt

.PHONY: install install-dev spark demo test test-spark lint lab app report browser bench clean

## install: what the demo, the app and the notebooks need (requirements/runtime.lock)
install: $(VENV)/.installed

## install-dev: install, plus what the tests and linters need (requirements/dev.lock)
install-dev: $(VENV)/.installed-dev

$(VENV)/.installed: requirements/runtime.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/runtime.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements/dev.lock
	$(BIN)/python -m pip install --quiet -r requirements/runtime.lock -r requirements/dev.lock
	touch $@

## spark: dbt-spark and a local pyspark (requirements/spark.lock, pinned with the other two locks), and
## Java from Debian (openjdk-17-jre-headless, else the release's default JRE) when `java` is missing
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
spark: $(VENV)/.installed-spark

$(VENV)/.installed-spark: $(VENV)/.installed-dev requirements/spark.lock
	@if command -v java >/dev/null 2>&1; then \
		echo "spark: Java found at $$(command -v java), not installing one"; \
	else \
		echo "spark: java is missing: installing openjdk-17-jre-headless from Debian with apt-get"; \
		$(SUDO) apt-get update -qq && \
		{ $(SUDO) apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless || \
		  { echo "spark: openjdk-17 not in this release: installing default-jre-headless"; \
		    $(SUDO) apt-get install -y -qq --no-install-recommends default-jre-headless; }; }; \
	fi
	@echo "spark: installing dbt-spark and pyspark from requirements/spark.lock"
	$(BIN)/python -m pip install --quiet -c requirements/runtime.lock -c requirements/dev.lock -r requirements/spark.lock
	touch $@

## demo: generate a sample (truth kept apart in data/demo/truth), then the scheduled run:
## ingest, build, check (Data Docs), report; then a summary of the marts
demo: install
	$(BIN)/denials generate --claims $(DEMO_CLAIMS) --seed 7 --out $(DEMO_DATA)
	$(BIN)/denials run $(DEMO_DATA)/837 $(DEMO_DATA)/835 $(DEMO_DATA)/administrations \
		--warehouse $(WAREHOUSE) --dashboard dashboards/denials.html
	$(BIN)/denials summary --warehouse $(WAREHOUSE)
	@echo "report: dashboards/denials.html   app: make app   notebooks: make lab"

## test: lint, then every test: the Python and dbt suites, the real-browser tests and the Spark parity test
## (the same marts built on local Spark). It depends on `spark`, which installs dbt-spark and pyspark, and
## Java when it is missing. Plain `pytest` leaves the Spark test out (pyproject addopts); this selects it.
test: lint browser spark
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup --no-loadscope-reorder -m "spark or not spark" --durations=30

## test-spark: the Spark tests alone (`make test` runs them too); needs Java, which `make spark` installs
## from Debian when it is missing
test-spark: lint spark
	$(BIN)/python -m pytest -q -m spark

## lab: JupyterLab on the notebooks; a double click opens a .py notebook as a notebook (jupyter/labconfig)
lab: install
	DENIALS_WAREHOUSE=$(abspath $(WAREHOUSE)) JUPYTER_CONFIG_PATH=$(abspath jupyter) \
		$(BIN)/jupyter lab notebooks/

## app: the interactive dashboard on http://127.0.0.1:8501 over the published demo warehouse
app: install
	@test -f $(PUBLISHED) || $(MAKE) demo
	$(BIN)/denials app --warehouse $(WAREHOUSE)

## report: the static HTML report (offline, for e-mail and cron) from the published warehouse
report: install
	$(BIN)/denials report --warehouse $(WAREHOUSE) -o dashboards/denials.html

## browser: Debian's chromium, which the real-browser tests drive through playwright (playwright's own
## browser download needs the internet); installed with apt-get when missing
browser:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then \
		echo "chromium found: $$(command -v chromium || command -v chromium-browser)"; \
	else \
		echo "chromium not found: installing Debian's chromium with apt-get (for the real-browser tests)"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	fi

## lint: ruff on the Python, sqlfluff (config in .sqlfluff) on the SQL
lint: install-dev
	$(BIN)/ruff check src tests bench
	mkdir -p $(dir $(SQLFLUFF_WAREHOUSE))
	DENIALS_WAREHOUSE=$(abspath $(SQLFLUFF_WAREHOUSE)) $(BIN)/sqlfluff lint $(SQLFLUFF_PATHS)

## bench: throughput figures (not tests)
bench: install
	$(BIN)/python bench/ingest.py --mb 100
	$(BIN)/python bench/ingest_csv.py --mb 100
	$(BIN)/python bench/generate.py --claims 100000
	$(BIN)/python bench/build.py --claims 100000

clean:
	rm -rf $(VENV) warehouse data target logs
