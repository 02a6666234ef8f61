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

.PHONY: help python venv browser report-deps run test lint migrations-check clean

help:
	@echo "make run    — serve the tracker with the seed data on http://$(HOST):$(PORT)/admin/"
	@echo "make test   — run the whole test suite (DATABASE_URL selects the database;"
	@echo "              installs Debian's chromium for the browser tests when it is missing)"
	@echo "make report-deps — CJK fonts and Pango for the PDF reports (run and test need them)"
	@echo "make lint   — ruff check and format check"
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

run: venv report-deps
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --no-input
	DEBUG=$${DEBUG:-true} $(PY) manage.py loaddata seeds
	DEBUG=$${DEBUG:-true} $(PY) manage.py create_demo_admin
	@echo "Serving on http://$(HOST):$(PORT)/admin/ with the report scheduler beside it (Ctrl-C stops both)"
	DEBUG=$${DEBUG:-true} $(PY) manage.py run_scheduled_reports --loop & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null || true' EXIT; \
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver $(HOST):$(PORT)

test: venv browser report-deps
	DEBUG=$${DEBUG:-true} $(PY) manage.py makemigrations --check --dry-run
	SECRET_KEY=$${SECRET_KEY:-test-only-secret-key} $(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

migrations-check: venv
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 *.egg-info
