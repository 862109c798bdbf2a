# Open Buurtonderzoek. `make run` starts the app with demo data; `make test` runs everything.
# Both install what they need on a fresh Debian machine (venv, pip packages, apt packages).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEV_ENV := DEBUG=1 SECRET_KEY=dev-only-insecure-key-change-me
TEST_ENV := SECRET_KEY=test-only-secret-key-not-for-production
APT_PACKAGES := chromium poppler-utils gettext fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b pgbouncer caddy redis-server docker-compose

.PHONY: demo-code run test setup system-deps lint format typecheck unit browser messages migrations-check bench clean

run: setup
	@mkdir -p var
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py compilemessages --ignore=.venv -v0
	$(DEV_ENV) $(PY) manage.py demo
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: setup lint typecheck migrations-check unit

# The current two-factor code of the police and municipal demo accounts.
demo-code: setup
	@$(DEV_ENV) $(PY) manage.py demo --totp

setup: $(VENV)/.installed system-deps

# The venv holds exactly the locked versions (hashes checked); the code itself runs from the checkout.
# requirements/runtime.txt is what a production install needs (with the s3 extra), dev.txt adds the
# tests, linters and OR-Tools. Change pyproject.toml, then `make lock` (ADR 0008).
$(VENV)/.installed: requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --require-hashes --no-deps -r requirements/dev.txt
	touch $@

LOCK := $(VENV)/bin/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 -q \
	--custom-compile-command "make lock"

.PHONY: lock
lock: setup
	$(LOCK) --extra s3 -o requirements/runtime.txt
	$(LOCK) --extra s3 --extra dev --extra optimise -c requirements/runtime.txt -o requirements/dev.txt

# Debian packages: Chromium for browser tests, poppler for PDF checks, gettext for translations,
# Pango for WeasyPrint; PgBouncer, Caddy and Redis for the smoke test (tests/smoke/recipe.py: transaction
# pooling, the TLS proxy, its own cache); docker-compose and caddy validate deploy/ offline (tests/test_deploy.py;
# no Docker daemon needed).
# Installed only when missing, so a ready machine skips apt entirely.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "apt-get install:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck:
	$(TEST_ENV) $(VENV)/bin/mypy buurtonderzoek config conftest.py bench tests

migrations-check:
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run

messages:
	$(DEV_ENV) $(PY) manage.py makemessages -l nl -l en --ignore=.venv --ignore=var --no-obsolete
	$(DEV_ENV) $(PY) manage.py makemessages -d djangojs -l nl -l en --ignore=.venv --ignore=var --ignore=static/vendor --no-obsolete

unit:
	$(TEST_ENV) $(PY) manage.py compilemessages --ignore=.venv -v0
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

# The national address base: generates 9.9M addresses (once, ~2 GB under var/bench), imports them
# from CSV and GeoPackage into SQLite and PostgreSQL (database bo_bench), times radius queries.
.PHONY: bench-places
bench-places: setup
	$(PY) bench/bench_places.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
