# Harbour: `make demo` serves the synthetic partnership; `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HARBOUR := DJANGO_SETTINGS_MODULE=harbour.settings.base $(BIN)/harbour
PG_URL ?= postgres://postgres@127.0.0.1:5432/harbour
DEMO_SEED ?= 2026
DEMO_CHILDREN ?= 2000
PYTEST_WORKERS ?= 2

.PHONY: help setup demo test lint types test-sqlite test-postgres bench audit chromium pdf-tools postgres assets clean

help:
	@echo "make demo   install, build, load the synthetic partnership and serve http://127.0.0.1:8000"
	@echo "make test   lint (ruff, the import layers), types, and the whole suite on SQLite and on PostgreSQL"
	@echo "make bench  benchmarks: quality and speed against named baselines"
	@echo "make audit  known vulnerabilities in the pinned Python and npm dependencies (needs the network)"

$(BIN)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q uv==0.9.30
	UV_PYTHON_DOWNLOADS=never $(BIN)/uv pip sync -q requirements.lock --python $(BIN)/python
	UV_PYTHON_DOWNLOADS=never $(BIN)/uv pip install -q --no-deps -e . --python $(BIN)/python
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

build/static/.built: node_modules/.installed scripts/build-assets.sh
	scripts/build-assets.sh
	touch $@

assets: build/static/.built

setup: $(BIN)/.installed build/static/.built

# Debian's Chromium for the browser journeys (Playwright cannot download its own browser here).
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation >/dev/null; }

# The board report in PDF (ADR 0035): WeasyPrint uses Debian's Pango, and HarfBuzz's subsetter to
# embed only the glyphs used (without it, it warns); the tests read the PDF with poppler's tools.
pdf-tools:
	@{ command -v pdftotext >/dev/null && dpkg -s libharfbuzz-subset0 >/dev/null 2>&1; } || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils libharfbuzz-subset0 >/dev/null; }

# PostgreSQL runs on these machines; start it if it is installed but stopped, fail if unreachable.
postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { command -v pg_ctlcluster >/dev/null && pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -n 1) main start && sleep 2; } || true
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432; make test needs it." >&2; exit 1; }

demo: setup pdf-tools
	mkdir -p var
	rm -f var/harbour.sqlite3
	rm -rf var/insight-store var/insight-files var/event-files
	# The audit anchors belong to the database they anchor (ADR 0041): a new demo, new anchors.
	rm -rf var/audit-anchors
	$(HARBOUR) migrate -v 0
	$(HARBOUR) demo generate --seed $(DEMO_SEED) --children $(DEMO_CHILDREN) --event-files var/event-files
	# Two years of Riverside's public and partners' files, imported as an analyst would.
	$(HARBOUR) demo insight-files var/insight-files | while read -r format path; do \
		$(HARBOUR) insight import --format "$$format" "$$path" || exit 1; done
	# The monthly check for emerging patterns (from a timer in production, ADR 0034): it finds the
	# rise the demo's stop-and-search file holds and tells the leaders.
	$(HARBOUR) insight alerts check
	$(HARBOUR) link train
	$(HARBOUR) link run
	# Each agency's events and needs, sent as its files once the person index exists (ADR 0029).
	# Years of history, loaded once: saved and matched, no one told (ADR 0028); one run, many files.
	$(HARBOUR) demo event-files var/event-files | $(HARBOUR) events import-list - --backfill
	$(HARBOUR) identity reconcile
	$(HARBOUR) identity flags
	$(HARBOUR) demo rapid-responses
	$(HARBOUR) demo activity
	# Harbour's own referrals, decisions, plans, flags and agencies' events into the store as
	# pseudonymised extracts (nightly from a timer in production, ADR 0039): the disproportionality
	# page's own stages read them. The demo's key is var/insight-pseudonym.key, outside the store.
	$(HARBOUR) insight extract
	$(HARBOUR) frontdoor clocks
	$(HARBOUR) demo sign-ins
	# Suspicious-access rules over the audit stream, and the chain's head anchored outside the
	# database (ADR 0041); in production both run from a timer every 15 minutes, here beside
	# the server.
	$(HARBOUR) audit watch
	$(HARBOUR) audit anchor
	@echo "Serving Harbour at http://127.0.0.1:8000 (Ctrl+C to stop)"
	# The background task runner (ADR 0028) runs beside the server and stops with it.
	$(HARBOUR) tasks recover
	$(HARBOUR) db_worker --no-startup-delay & worker=$$!; \
	while sleep 900; do $(HARBOUR) audit anchor; $(HARBOUR) audit watch; done & timer=$$!; \
	trap 'kill $$worker $$timer 2>/dev/null; wait $$worker $$timer 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(HARBOUR) runserver 127.0.0.1:8000 --noreload --skip-checks

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

types: setup
	$(BIN)/mypy

test-sqlite: setup chromium pdf-tools
	DATABASE_URL=sqlite:///var/harbour-test.sqlite3 $(BIN)/pytest -n $(PYTEST_WORKERS) -q

test-postgres: setup chromium pdf-tools postgres
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) -q

test: lint types test-sqlite test-postgres

bench: setup postgres
	$(BIN)/python benchmarks/language_eval.py
	$(BIN)/python benchmarks/linkage_realtime.py
	$(BIN)/python benchmarks/linkage_batch.py
	$(BIN)/python benchmarks/linkage_febrl.py
	$(BIN)/python benchmarks/frontdoor_intake.py
	$(BIN)/python benchmarks/frontdoor_queue.py
	$(BIN)/python benchmarks/events_intake.py
	$(BIN)/python benchmarks/insight_import.py

# Known vulnerabilities in the pinned dependencies (ADR 0042): pip-audit and npm audit, with the
# accepted exceptions in security/audit-exceptions.toml. Not in `make test`: it needs the
# advisory services. pip-audit is a tool, not a dependency: it has its own environment.
PIP_AUDIT_VERSION := 2.10.1
AUDIT_VENV := .venv-audit

$(AUDIT_VENV)/.installed:
	$(PYTHON) -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/pip install -q pip-audit==$(PIP_AUDIT_VERSION)
	touch $@

audit: $(AUDIT_VENV)/.installed
	$(AUDIT_VENV)/bin/python scripts/audit.py

clean:
	rm -rf $(VENV) $(AUDIT_VENV) node_modules build var
