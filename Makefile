# The commands the README shows. `make run` and `make test` work on a fresh machine: they build the
# virtual environment from the pinned lock file on first use, and install tj3 when it is missing.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
# VENV, REQUIREMENTS and PACKAGES can be given on the command line (tests/deploy/test_fresh_machine.py
# builds a throwaway environment that way, never the real one).
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
REQUIREMENTS := requirements.lock
PACKAGES := -e shared -e services/catalog -e services/versions -e services/scheduler -e services/events -e services/web -e services/host -e clients/python

# tj3 installed with Ruby's gem where apt-get cannot (scripts/system-packages) lives in this folder; every
# target finds it through PATH, and the scheduler's Ruby driver finds TaskJuggler's library through
# GEM_PATH (passed to it; the trailing colon keeps Ruby's own gem directories).
TJ3_GEM_HOME ?= $(CURDIR)/.tools/gems
export TJ3_GEM_HOME
export PATH := $(TJ3_GEM_HOME)/bin:$(PATH)
export GEM_PATH := $(TJ3_GEM_HOME):$(GEM_PATH)

.PHONY: install system-packages browser-package run test lint format bench bench-events clean definitions \
	initial-migration screenshots

# A stamped environment whose python no longer starts (deleted, or the Python it was made from removed)
# is installed again.
ifneq ($(shell $(BIN)/python -c pass >/dev/null 2>&1 && echo ok),ok)
.PHONY: $(STAMP)
endif

# A first `make run` interrupted mid-install recovers here: an environment without a python or a working
# pip (`python -m venv` stopped half way) is made again; one stopped during a pip install is kept and the
# install resumes, since the stamp is only touched once everything is in.
$(STAMP): $(REQUIREMENTS) shared/pyproject.toml services/*/pyproject.toml clients/python/pyproject.toml
	@$(BIN)/python -m pip --version >/dev/null 2>&1 || { \
	  echo "make: making the virtual environment $(VENV)"; rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r $(REQUIREMENTS)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps $(PACKAGES)
	@touch $(STAMP)

## TaskJuggler's tj3 when missing: Debian's package as root, else Ruby's gem into $(TJ3_GEM_HOME), else
## the command to run is printed and the system starts anyway (scripts/system-packages).
system-packages:
	@scripts/system-packages

install: system-packages $(STAMP)

## Debian's Chromium, which the browser tests drive (scripts/browser-package); `make run` does not need it.
browser-package:
	@scripts/browser-package

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
test: install browser-package
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
		services/scheduler/stalker_scheduler services/events/stalker_events services/web/stalker_web services/host/stalker_host \
		clients/python/stalker_client

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

## Commit-to-webhook latency and events throughput (bench/events.py; PostgreSQL and RabbitMQ needed).
bench-events: install
	$(BIN)/python bench/events.py --mode processes
	$(BIN)/python bench/events.py --mode distributed
	$(BIN)/python bench/events.py --mode embedded

## The whole stack in containers with docker compose (deploy/compose-stack: engine, images, stand-ins for
## images that cannot be pulled, an env file of random secrets in .compose/), then wait until healthy.
.PHONY: compose-up compose-down
compose-up:
	deploy/compose-stack up

compose-down:
	deploy/compose-stack down

## Regenerate deploy/rabbitmq/definitions.json and users.json (per-service users) from the topology in code.
## The README's screenshots of the web app, taken by the browser tests (tests/browser) in Chromium.
screenshots: install browser-package
	STALKER_WEB_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/pytest tests/browser -q

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
