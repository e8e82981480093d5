# KAP Clinic: `make run` and `make test` do the whole set-up on a fresh machine.
# Without DATABASE_URL an embedded PostgreSQL (pgserver, data in .pgdata/) is started and reused.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: help setup system-libs db migrate demo run test lint format stop-db browsers clean

help:
	@echo "make run      set up, migrate, load the demo clinic and serve http://127.0.0.1:8000"
	@echo "make test     set up and run the whole suite (checks, migrations, lint, pytest)"
	@echo "make stop-db  stop the embedded PostgreSQL"

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed node_modules/.installed system-libs

# WeasyPrint (the course-summary PDF) renders with Debian's pango.
system-libs:
	@ldconfig -p | grep -q libpangoft2-1.0 || { echo "installing Debian's pango for the PDF summaries"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; }

db: setup
	@if [ -z "$$DATABASE_URL" ]; then $(PY) -m kap_clinic.devdb start; else echo "using DATABASE_URL"; fi

migrate: db
	DEBUG=1 $(PY) manage.py migrate --noinput

demo: migrate
	DEBUG=1 $(PY) manage.py seed_demo

run: demo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

# Browser tests drive the machine's Chromium (Debian's package); Playwright can't download one here.
browsers:
	@command -v chromium >/dev/null || { echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: db browsers lint
	DJANGO_SETTINGS_MODULE=kap_clinic.test_settings $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=kap_clinic.test_settings $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=kap_clinic.test_settings $(PY) -m pytest

stop-db: setup
	$(PY) -m kap_clinic.devdb stop

clean: stop-db
	rm -rf $(VENV) node_modules staticfiles .pgdata
