# Two commands on a fresh machine: `make run` serves the tracker with the seed data on SQLite,
# `make test` runs the whole test suite. Both build the virtual environment first.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Candidates for a Python >= 3.12, tried in order after a PYTHON= override. pyenv's shims for
# python3.12/3.13 fail unless PYENV_VERSION is set, so the versions' own binaries are tried too.
PYTHON_CANDIDATES := python3.14 python3.13 python3.12 python3 \
	$(shell ls -d $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] \
		/usr/bin/python3.1[2-9] 2>/dev/null | sort -rV)

# The browser tests drive Debian's Chromium (Playwright cannot download its own browser here);
# CJK fonts make Chinese render in the browser and in screenshots.
CHROMIUM ?= /usr/bin/chromium

# The PDF reports are printed by WeasyPrint through Pango, which silently drops Chinese glyphs
# without a CJK font; fontconfig's fc-list is how the font is found.
REPORT_PACKAGES := fonts-noto-cjk fontconfig libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
REPORT_LIBRARIES := libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz-subset.so.0

.PHONY: help python venv browser report-deps messages catalogue run test lint typecheck typecheck-baseline docs migrations-check clean

help:
	@echo "make run    — serve the tracker with the seed data on http://$(HOST):$(PORT)/admin/"
	@echo "make test   — run the whole test suite on PYTEST_WORKERS processes (auto: one a core;"
	@echo "              DATABASE_URL selects the database;"
	@echo "              installs Debian's chromium for the browser tests when it is missing)"
	@echo "make report-deps — CJK fonts and Pango for the PDF reports (run and test need them)"
	@echo "make messages — compile the message catalogues (run and test do it first)"
	@echo "make catalogue — list the code's messages in the English catalogue (then fill the empty ones)"
	@echo "make lint   — ruff check and format check"
	@echo "make typecheck — mypy with django-stubs; fails on an error not in .ci/mypy-baseline.txt"
	@echo "make docs   — build docs/ into site/ with MkDocs, the API schema rendered"
	@echo "make typecheck-baseline — rewrite that baseline from the current errors (only to shrink it)"
	@echo "make deploy-demo — two app servers behind nginx, two workers, two schedulers, backup and"
	@echo "              restore on one machine's PostgreSQL, checked (deploy/demo.py)"
	@echo "make loadtest — locust against gunicorn for LOAD_DURATION (3m) with LOAD_USERS (24) users on"
	@echo "              PostgreSQL; LOAD_RESTART_DB=1 restarts the database mid-run (loadtest/run.py)"
	@echo "make bench  — each operation on the synthetic province against its PostgreSQL floor;"
	@echo "              prints the table, writes bench/results.json (BENCH_DATABASE_URL, BENCH_REPEAT)"
	@echo "make clean  — remove the virtual environment and the SQLite database"

# Prints the first interpreter that is Python >= 3.12.
python:
	@ok() { "$$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }; \
	if [ -n "$${PYTHON:-}" ]; then \
		if ok "$$PYTHON"; then command -v "$$PYTHON" || echo "$$PYTHON"; exit 0; fi; \
		echo "PYTHON=$$PYTHON is not a working Python 3.12 or newer." >&2; exit 1; \
	fi; \
	for cand in $(PYTHON_CANDIDATES); do \
		if ok "$$cand"; then command -v "$$cand" || echo "$$cand"; exit 0; fi; \
	done; \
	echo "No Python 3.12 or newer found (tried: $(PYTHON_CANDIDATES))." >&2; \
	echo "Install one, or name it: make run PYTHON=/path/to/python3.12" >&2; exit 1

$(VENV)/.installed: pyproject.toml
	@interpreter=$$($(MAKE) -s python); \
	echo "Using $$interpreter ($$($$interpreter --version))"; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		rm -rf $(VENV); "$$interpreter" -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

venv: $(VENV)/.installed

browser: $(CHROMIUM)

$(CHROMIUM):
	@echo "Installing Debian's chromium and CJK fonts for the browser tests"
	@if [ "$$(id -u)" = 0 ]; then sudo=; elif command -v sudo >/dev/null; then sudo=sudo; \
	else echo "$(CHROMIUM) is missing; installing it needs root: apt-get install chromium fonts-noto-cjk" >&2; exit 1; fi; \
	$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
	@test -x $(CHROMIUM)

report-deps:
	@ldconfig=$$(command -v ldconfig || echo /sbin/ldconfig); \
	missing=; \
	fc-list 2>/dev/null | grep "Noto Sans CJK" >/dev/null || missing="$$missing fonts-noto-cjk"; \
	for lib in $(REPORT_LIBRARIES); do \
		$$ldconfig -p 2>/dev/null | grep "$$lib" >/dev/null || missing="$$missing $$lib"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	echo "Installing CJK fonts and Pango for the PDF reports (missing:$$missing)"; \
	if [ "$$(id -u)" = 0 ]; then sudo=; elif command -v sudo >/dev/null; then sudo=sudo; \
	else echo "Missing:$$missing; installing it needs root: apt-get install $(REPORT_PACKAGES)" >&2; exit 1; fi; \
	$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $(REPORT_PACKAGES) >/dev/null

# The tracker's message catalogues (projects/locale/*/LC_MESSAGES/*.po) compiled to .mo, which
# Django reads; msgfmt is Debian's gettext.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard projects/locale/*/LC_MESSAGES/*.po))

messages: $(CATALOGUES)

# The English catalogue's list of messages brought up to date with the code (Django's
# makemessages: new messages come in with an empty msgstr to fill, removed ones go); the
# translations already there are kept. tests/test_messages.py fails while one is empty.
catalogue: venv
	cd projects && SECRET_KEY=catalogue ../$(VENV)/bin/python ../manage.py makemessages -l en \
		--no-location --no-obsolete --ignore=migrations --ignore=synthetic

%.mo: %.po
	@command -v msgfmt >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then sudo=; elif command -v sudo >/dev/null; then sudo=sudo; \
		else echo "msgfmt is missing; installing it needs root: apt-get install gettext" >&2; exit 1; fi; \
		echo "Installing gettext (msgfmt) for the message catalogues"; \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq gettext >/dev/null; }
	msgfmt --check -o $@ $<

run: venv report-deps messages
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --no-input
	DEBUG=$${DEBUG:-true} $(PY) manage.py loaddata seeds
	DEBUG=$${DEBUG:-true} $(PY) manage.py create_demo_admin
	@echo "Serving on http://$(HOST):$(PORT)/admin/ with the report scheduler beside it (Ctrl-C stops both)"
	DEBUG=$${DEBUG:-true} $(PY) manage.py run_scheduled_reports --loop & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null || true' EXIT; \
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver $(HOST):$(PORT)

# The suite runs on PYTEST_WORKERS processes (pytest-xdist; each has its own test database), a
# test file on one process so that a module's fixtures (servers, browsers, loaded data) are made
# once, and prints its 30 slowest tests so that a slow one is seen.
PYTEST_WORKERS ?= auto
test: venv browser report-deps messages
	DEBUG=$${DEBUG:-true} $(PY) manage.py makemigrations --check --dry-run
	SECRET_KEY=$${SECRET_KEY:-test-only-secret-key} $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile --durations=30 $(PYTEST_ARGS)

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# mypy keeps its cache in .mypy_cache: a warm run checks only what changed.
typecheck: venv
	SECRET_KEY=$${SECRET_KEY:-typecheck-only-secret-key} $(PY) .ci/typecheck.py

# The docs/ pages as a site in site/, with the API schema generated from the code and rendered
# (mkdocs.yml: strict, links checked, nothing fetched from the network).
docs: $(VENV)/.installed-docs
	DEBUG=true $(PY) manage.py spectacular --file docs/api/openapi.yaml
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --clean

$(VENV)/.installed-docs: $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev,docs]'
	@touch $@

typecheck-baseline: venv
	SECRET_KEY=$${SECRET_KEY:-typecheck-only-secret-key} $(PY) .ci/typecheck.py --update

migrations-check: venv
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

# The production shape of deploy/ on one machine against the machine's PostgreSQL (PGHOST, PGPORT,
# PGUSER): two gunicorn app servers behind nginx, two task workers, two schedulers, a backup and
# its restore, all checked (deploy/demo.py). Installs Debian's nginx when it is missing.
.PHONY: deploy-demo
deploy-demo: venv report-deps
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
		echo "Installing Debian's nginx for the deployment demo"; \
		if [ "$$(id -u)" = 0 ]; then sudo=; elif command -v sudo >/dev/null; then sudo=sudo; \
		else echo "nginx is missing; installing it needs root: apt-get install nginx" >&2; exit 1; fi; \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq nginx >/dev/null; \
	fi
	$(PY) deploy/demo.py $(DEPLOY_DEMO_ARGS)

# Locust against gunicorn on loopback: users of several zones reading and writing through the API,
# then every acknowledged write counted in the database (loadtest/run.py). A new database on the
# PostgreSQL of LOADTEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432), dropped at the
# end; LOAD_RESTART_DB=1 runs on a private cluster instead and restarts it in the middle of the run.
LOAD_DURATION ?= 3m
LOAD_USERS ?= 24
LOAD_RESTART_DB ?= 0
.PHONY: loadtest
loadtest: venv
	LOAD_DURATION=$(LOAD_DURATION) LOAD_USERS=$(LOAD_USERS) LOAD_RESTART_DB=$(LOAD_RESTART_DB) \
		$(PY) loadtest/run.py $(LOADTEST_ARGS)

# Each operation at province scale against its PostgreSQL floor, timed in the same run (bench/run.py):
# prints the table and writes bench/results.json. Starts the machine's PostgreSQL when it does not
# answer, creates BENCH_DATABASE_URL's database when missing, and generates the synthetic province
# only when the database does not hold that exact set already. A missed target is in the table and
# the JSON, not a failure: the exit status says whether the benchmark ran.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tracker_bench
BENCH_REPEAT ?= 7
BENCH_ZONES ?= 200
BENCH_PROJECTS ?= 50000
BENCH_MONTHS ?= 36
BENCH_IMPORT_ROWS ?= 100000
.PHONY: bench
bench: venv report-deps
	@if ! pg_isready -q -d "$(BENCH_DATABASE_URL)" 2>/dev/null; then \
		echo "PostgreSQL is not answering for $(BENCH_DATABASE_URL); starting it"; \
		if [ -d /etc/postgresql ] && command -v pg_ctlcluster >/dev/null; then \
			pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql | sort -V | tail -n 1)" main start || true; \
		fi; \
		for _ in $$(seq 1 30); do pg_isready -q -d "$(BENCH_DATABASE_URL)" && break; sleep 1; done; \
	fi
	@db="$${BENCH_DATABASE_URL##*/}"; db="$${db%%\?*}"; server="$${BENCH_DATABASE_URL%/*}"; \
	if ! psql "$$server/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$$db'" | grep -q 1; then \
		echo "Creating the database $$db"; psql "$$server/postgres" -qc "CREATE DATABASE \"$$db\""; \
	fi
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_REPEAT=$(BENCH_REPEAT) BENCH_ZONES=$(BENCH_ZONES) \
		BENCH_PROJECTS=$(BENCH_PROJECTS) BENCH_MONTHS=$(BENCH_MONTHS) BENCH_IMPORT_ROWS=$(BENCH_IMPORT_ROWS) \
		$(PY) -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 *.egg-info site docs/api/openapi.yaml .mypy_cache
