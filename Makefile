# SectorplanPlus: `make run` starts the service on an embedded default; `make test` runs the whole suite.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PYTHONDONTWRITEBYTECODE := 1

APT_PACKAGES := chromium chromium-driver poppler-utils gettext libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core

.PHONY: run test install system-deps services lint schema spectral messages static-assets bench clean

## Python dependencies, pinned in requirements/*.txt, in a project virtualenv.
$(VENV)/.installed: requirements/dev.txt requirements/base.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q -r requirements/base.txt -r requirements/dev.txt
	touch $@

## Node tooling (Spectral, the OpenAPI linter), pinned in package-lock.json, in node_modules/.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## The NL Design System look (issue 15 item 4): Utrecht component CSS with the Rijkshuisstijl Community design
## tokens, pinned in package-lock.json and copied from node_modules into static/nlds/ (generated, not in git).
## `install` builds it, so `make run`, `make test` and collectstatic always find it; the Dockerfile copies the same files.
NLDS_DIR := static/nlds
$(NLDS_DIR)/.built: node_modules/.installed
	mkdir -p $(NLDS_DIR)
	cp node_modules/@rijkshuisstijl-community/design-tokens/dist/index.css $(NLDS_DIR)/rhc-tokens.css
	cp node_modules/@utrecht/component-library-css/dist/index.css $(NLDS_DIR)/utrecht-components.css
	cp node_modules/@utrecht/component-library-css/dist/html.css $(NLDS_DIR)/utrecht-html.css
	touch $@

static-assets: $(NLDS_DIR)/.built

install: $(VENV)/.installed node_modules/.installed static-assets system-deps

## System packages (WeasyPrint's Pango, gettext; Chromium and poppler for the browser and PDF tests).
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

## Start PostgreSQL and Redis when they are not running (the test machine's own services).
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && exit 0; sleep 1; done; \
	 echo "PostgreSQL or Redis did not come up" >&2; exit 1

## Compile the committed Dutch catalogue (locale/nl/LC_MESSAGES/django.po).
messages: install
	@if [ -n "$$(find locale -name '*.po' 2>/dev/null)" ]; then \
	  DJANGO_SETTINGS_MODULE=sectorplan.settings.dev $(PY) manage.py compilemessages -v0 --ignore=.venv; fi

run: install messages
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_reference
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput -v0
	@echo ""
	@echo "SectorplanPlus runs at http://$(HOST):$(PORT)/"
	@echo "  portal:   http://$(HOST):$(PORT)/   (log in with a demo login above)"
	@echo "  admin:    http://$(HOST):$(PORT)/admin/   (beheerder)"
	@echo "  API docs: http://$(HOST):$(PORT)/api/docs/"
	@echo "  health:   http://$(HOST):$(PORT)/healthz"
	@if [ -n "$$CELERY_BROKER_URL" ]; then \
	  echo "Starting a Celery worker and beat against $$CELERY_BROKER_URL"; \
	  $(VENV)/bin/celery -A sectorplan worker -B --loglevel=INFO --max-tasks-per-child=200 --concurrency=2 & \
	else echo "No CELERY_BROKER_URL: Celery tasks run in-process."; fi
	$(PY) manage.py runserver $(HOST):$(PORT) --noreload

lint: install
	$(VENV)/bin/ruff check .

## The OpenAPI document, committed as openapi.json (served at /api/v2/openapi.json), checked for drift by the tests.
schema: install
	DJANGO_SETTINGS_MODULE=sectorplan.settings.test $(PY) manage.py spectacular --lang en --format openapi-json --file openapi.json --validate --fail-on-warn

## Spectral with the project's NLGov ADR ruleset (.spectral.yaml) on the committed document.
spectral: install
	npx --no-install spectral lint --fail-severity=error openapi.json -r .spectral.yaml

test: install services messages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	npx --no-install spectral lint --fail-severity=error openapi.json -r .spectral.yaml
	DJANGO_SETTINGS_MODULE=sectorplan.settings.test $(PY) manage.py makemigrations --check --dry-run -v1
	$(VENV)/bin/pytest

bench: install services
	for b in bench/*.py; do DJANGO_SETTINGS_MODULE=sectorplan.settings.test $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) node_modules var .pytest_cache $(NLDS_DIR)
