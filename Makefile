# `make run`: a working server with demo data. `make test`: every check CI runs.
VENV := .venv
PYTHON := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
NPM_SDK := tests/sdk_npm/node_modules/.package-lock.json

.PHONY: run test lint chromium postgres

$(PYTHON):
	python3 -m venv $(VENV)

# Stamp files: reinstall only when pyproject.toml changes.
$(VENV)/.installed-runtime: pyproject.toml | $(PYTHON)
	$(PIP) install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PYTHON)
	$(PIP) install --quiet --disable-pip-version-check -e '.[test]'
	touch $@ $(VENV)/.installed-runtime

run: $(VENV)/.installed-runtime
	$(PYTHON) manage.py migrate --noinput
	$(PYTHON) manage.py load_demo
	$(PYTHON) manage.py runserver 127.0.0.1:8000

# The suite runs on the database DATABASE_URL names (Postgres in CI) and, when that is not
# SQLite already, once more on the embedded SQLite default: both must hold.
test: $(VENV)/.installed-test $(NPM_SDK) chromium postgres lint
	$(PYTHON) manage.py makemigrations --check --dry-run
	@case "$$DATABASE_URL" in \
		""|sqlite*) ;; \
		*) echo "--- the suite on SQLite" && env -u DATABASE_URL $(VENV)/bin/pytest -q && \
		   echo "--- the suite on $${DATABASE_URL%%:*}";; \
	esac
	$(VENV)/bin/pytest

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

# The official npm SDK, pinned by tests/sdk_npm/package-lock.json, for its live-server tests.
$(NPM_SDK): tests/sdk_npm/package.json tests/sdk_npm/package-lock.json
	npm ci --prefix tests/sdk_npm --no-audit --no-fund --loglevel=error
	touch $@

# For the browser tests of the HTML pages.
chromium:
	@test -x /usr/bin/chromium || { \
		apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Start the local cluster when it is installed but down (tests use it when DATABASE_URL says so).
postgres:
	@if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1; then \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
	fi
