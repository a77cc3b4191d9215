# Kravspår. Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-12)
# `make run` is the embedded development server: debug on, SQLite in var/. The demo's
# e-mails go to files in var/mail (not over the console), with links to this server's PORT.
RUN_ENV := DJANGO_DEBUG=1 DJANGO_EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend \
	KRAVSPAR_BASE_URL=http://127.0.0.1:$(PORT)
# Tests never see a real secret; everything else runs with production defaults.
TEST_ENV := DJANGO_SECRET_KEY=insecure-key-for-tests-only

.PHONY: run test install lint types migrations-check messages-check unit postgres messages clean system-deps

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-compile -r requirements-dev.txt
	@# Bytecode for every installed module except sympy, networkx and cfn-lint, which only moto's
	@# CloudFormation support imports (the tests use its S3): pip compiling them too cost about
	@# 10 s of CPU more per fresh install (docs/benchmarks.md). Python compiles a module left out
	@# here when something first imports it.
	$(BIN)/python -m compileall -q -x '/site-packages/(sympy|networkx|cfnlint)/' $(VENV)/lib
	touch $(STAMP)

install: $(STAMP)

run: install
	mkdir -p var
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input -v 0
	$(RUN_ENV) $(BIN)/python manage.py setup_roles
	@echo "Kravspår will be at http://127.0.0.1:$(PORT)/  (Ctrl-C stops it; e-mails are files in var/mail/)"
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	@# The background-job worker runs beside the web server and stops with it (Ctrl-C).
	$(RUN_ENV) $(BIN)/python manage.py jobs_worker --no-reload -v 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Debian packages the tests need: PostgreSQL for the second database run,
# Chromium for the browser tests (its headless shell, the same Blink without the full browser,
# is what they drive: about a third less CPU of the browser run), gettext for the translation check, xmlsec1 for SAML
# signatures (pysaml2 calls it; the tests run a real SAML identity provider).
system-deps:
	@missing=""; \
	test -x /usr/lib/postgresql/15/bin/initdb || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	test -x /usr/bin/chromium-headless-shell || missing="$$missing chromium-headless-shell"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	test -x /usr/bin/xmlsec1 || missing="$$missing xmlsec1"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install
	$(TEST_ENV) $(BIN)/mypy .

migrations-check: install
	mkdir -p var
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

messages-check: install
	$(TEST_ENV) $(BIN)/python scripts/check_translations.py

# Unit, view and API tests on SQLite on both cores (pytest-xdist; each worker gets its own
# test database), then the browser tests in one process: they share one app server and
# one Chromium per process, and Playwright's loop must not meet database tests.
unit: install system-deps
	$(TEST_ENV) $(BIN)/pytest -q -n 2 --dist loadgroup -m "not browser"
	$(TEST_ENV) $(BIN)/pytest -q -m browser

# The same tests (less the browser) on a throw-away PostgreSQL cluster.
postgres: install system-deps
	$(TEST_ENV) $(BIN)/python scripts/with_postgres.py $(BIN)/pytest -q -n 2 --dist loadgroup -m "not browser"

# The whole suite: the browser tests and the PostgreSQL run in the background from the start,
# beside the checks and the SQLite run (each database run on both cores); see scripts/test_all.sh.
test: install system-deps
	bash scripts/test_all.sh

# Extract the English strings and compile the Swedish catalogue (needs gettext).
messages: install
	$(TEST_ENV) $(BIN)/python manage.py makemessages -l sv --no-location --no-obsolete -i ".venv/*" -i "var/*"
	$(TEST_ENV) $(BIN)/python manage.py compilemessages -l sv --ignore=".venv/*"

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
