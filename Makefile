# The two commands: `make demo` and `make test`. Both set up the environment first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 5000
# The day the committed sample is generated for (the demo moves its dates to today by whole weeks).
SAMPLE_DAY ?= 2026-11-24
export HOMECARE_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: setup demo test test-sqlite test-postgresql test-faults lint sample clean browser-setup bench-api bench-mixed

# The same install script as the Dockerfile (deploy/install.sh), so CI exercises it.
$(STAMP): pyproject.toml
	PYTHON=$(PYTHON) sh deploy/install.sh $(VENV) dev,bench --editable
	touch $(STAMP)

setup: $(STAMP)

## demo: set up, load the sample area into SQLite, plan tomorrow, serve on 127.0.0.1:$(PORT)
demo: setup
	HOMECARE_INSTANCE=instance/demo $(BIN)/homecare demo --sample data/sample --port $(PORT)

## test: set up, lint, then the whole suite on SQLite and, side by side with it, the
## database tests on PostgreSQL (most tests wait on processes, servers or the solver's
## clock, so the two passes share the two cores well). The PostgreSQL pass's output is
## kept in instance/pytest-postgresql.log and printed after the SQLite pass.
test: setup lint browser-setup
	@mkdir -p instance
	@HOMECARE_TEST_DATABASE=postgresql $(BIN)/pytest -q -m database -p no:cacheprovider \
	  > instance/pytest-postgresql.log 2>&1 & postgresql=$$!; \
	echo "== SQLite pass (the PostgreSQL pass runs beside it)"; \
	HOMECARE_TEST_DATABASE=sqlite $(BIN)/pytest -q; sqlite=$$?; \
	wait $$postgresql; pg=$$?; \
	echo "== PostgreSQL pass (database tests): exit $$pg; the SQLite pass above: exit $$sqlite"; \
	cat instance/pytest-postgresql.log; \
	test $$sqlite -eq 0 && test $$pg -eq 0

test-sqlite: setup
	HOMECARE_TEST_DATABASE=sqlite $(BIN)/pytest -q

test-postgresql: setup
	HOMECARE_TEST_DATABASE=postgresql $(BIN)/pytest -q -m database

## test-faults: only the production tests (they also run in `make test`, in the SQLite pass):
## start.sh end to end, database stopped mid-request, racing edits, backup and restore.
## They start private PostgreSQL clusters of their own and use the shared one for start.sh.
test-faults: setup
	$(BIN)/pytest -q tests/faults tests/test_deploy.py tests/test_backup_restore.py tests/test_config.py tests/test_logs.py

lint: setup
	$(BIN)/ruff check scheduler api tests benchmarks
	$(BIN)/mypy

## sample: regenerate the committed sample area (one team) under data/sample
sample: setup
	rm -rf instance/sample && HOMECARE_INSTANCE=instance/sample $(BIN)/homecare generate --workers 20 --areas 1 --seed 2 --date $(SAMPLE_DAY)
	rm -rf data/sample && HOMECARE_INSTANCE=instance/sample $(BIN)/homecare export --dataset data/sample
	echo $(SAMPLE_DAY) > data/sample/as_of

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache

## browser-setup: Debian's Chromium for the browser tests (never `playwright install`)
browser-setup:
	@if [ ! -x /usr/bin/chromium ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

# The browser tests run in the SQLite pass of `make test`, so it needs Chromium first.
test-sqlite: browser-setup

## bench-api: 200 concurrent workers fetching their routes from gunicorn on PostgreSQL
bench-api: setup
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null) || true
	$(BIN)/python -m benchmarks.api.run --workers $${BENCH_WORKERS:-5000} --concurrency 200 --seconds 20

## bench-mixed: 5 minutes of mixed traffic (routes, edits, reports, a plan) on loopback
bench-mixed: setup
	$(BIN)/python -m benchmarks.mixed.run --seconds $${BENCH_SECONDS:-300}
