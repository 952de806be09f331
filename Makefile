# The commands the README shows. `make run` and `make test` work on a fresh machine: they build the
# virtual environment from the pinned lock file on first use.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PACKAGES := -e shared -e services/catalog -e services/versions -e services/scheduler -e services/host -e clients/python

.PHONY: install system-packages run test lint format bench clean definitions initial-migration

$(STAMP): requirements.lock shared/pyproject.toml services/*/pyproject.toml clients/python/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps $(PACKAGES)
	@touch $(STAMP)

## Debian packages the system runs with (tj3), installed when missing: see scripts/system-packages.
system-packages:
	@scripts/system-packages

install: system-packages $(STAMP)

## Run the whole system on one base URL (embedded unless STALKER_POSTGRES_URL and STALKER_AMQP_URL are set).
run: install
	$(BIN)/stalker-host --host $${STALKER_HOST:-127.0.0.1} --port $${STALKER_PORT:-8080}

## Lint, type-check and run every test (unit, integration, reliability, end to end). The tests marked
## `serial` (they stop PostgreSQL or RabbitMQ, which the others use) run first and alone, while ruff and mypy
## run beside them (they use neither server); then the rest on $(PYTEST_WORKERS) pytest-xdist workers.
## PYTEST_ARGS go to both passes (give no -m there); a pass that selects no test (exit 5) is fine as long
## as the other ran some.
PYTEST_WORKERS ?= 4
# Bytecode is cached (in the gitignored __pycache__ directories): with PYTHONDONTWRITEBYTECODE set, as on
# the CI machine, every pytest process and every service process a test starts compiled the sources and
# rewrote the test modules' asserts again, ~2 s of CPU each.
test: export PYTHONDONTWRITEBYTECODE =
test: install
	@lint_log=$$(mktemp); lint=0; serial=0; parallel=0; \
	$(MAKE) --no-print-directory lint > $$lint_log 2>&1 & lint_pid=$$!; \
	$(BIN)/pytest -m serial $(PYTEST_ARGS) || serial=$$?; \
	wait $$lint_pid || lint=$$?; cat $$lint_log; rm -f $$lint_log; \
	if [ $$lint != 0 ]; then echo "make test: lint failed"; exit 1; fi; \
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -m "not serial" $(PYTEST_ARGS) || parallel=$$?; \
	case "$$serial$$parallel" in 00|05|50) ;; \
	  *) echo "make test: serial pass exit $$serial, parallel pass exit $$parallel"; exit 1 ;; esac

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shared/stalker_shared services/catalog/stalker_catalog services/versions/stalker_versions \
		services/scheduler/stalker_scheduler services/host/stalker_host clients/python/stalker_client

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Benchmarks against the reference (PostgreSQL and tj3 needed; BENCHMARKS.md). Heavy: run on a quiet machine.
## The scheduling and API ones install Stalker 1.1.2.1 in ~/.cache/stalker-bench/ref-venv on first use.
BENCH_LEAVES ?= 1000 5000 15000
bench: install
	$(BIN)/python bench/scheduling.py --leaves $(BENCH_LEAVES)
	$(BIN)/python bench/scheduling.py --leaves $(BENCH_LEAVES) --half-done
	$(BIN)/python bench/tracking.py
	$(BIN)/python bench/catalog_bulk.py
	$(BIN)/python bench/versions_publish.py
	$(BIN)/python bench/replicas.py
	$(BIN)/python bench/api.py

## Regenerate deploy/rabbitmq/definitions.json and users.json (per-service users) from the topology in code.
definitions: install
	$(BIN)/stalker-host definitions > deploy/rabbitmq/definitions.json
	$(BIN)/stalker-host definitions --users > deploy/rabbitmq/users.json

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache

## Developers, before the first release: rebuild a service's initial migration from its models.
## Usage: make initial-migration SERVICE=catalog
initial-migration: install
	rm -f services/$(SERVICE)/stalker_$(SERVICE)/migrations/versions/*.py
	rm -rf .migration-scratch
	STALKER_$(shell echo $(SERVICE) | tr a-z A-Z)_DATA_DIR=.migration-scratch $(BIN)/stalker-$(SERVICE) revision -m "initial schema" --rev-id 0001
	rm -rf .migration-scratch
