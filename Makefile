# PlaceGuard — the commands every checkout answers. See README.md.
#   make run    install, migrate, load the demo, serve on http://127.0.0.1:$(PORT)
#   make test   everything CI checks
#   make bench  every benchmark

PORT ?= 8000
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
VENDOR := src/placeguard/web/static/vendor
export PLACEGUARD_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test bench install assets chromium system-deps lint test-sqlite test-pg test-e2e clean migrate demo screenshots

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev,server]"
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps "jupedsim>=1.4,<1.5"
	touch $@

install: $(VENV)/.installed

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.built: node_modules/.package-lock.json scripts/build_assets.py | $(VENV)/.installed
	$(PY) scripts/build_assets.py
	touch $@

assets: $(VENDOR)/.built

# System packages from Debian, installed only when missing: Chromium for the browser tests
# (Playwright never downloads a browser here), pango/harfbuzz for WeasyPrint's PDF reports,
# poppler-utils to check rendered PDFs.
SYSTEM_PACKAGES := chromium libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils
system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

chromium: system-deps

migrate: install assets
	PLACEGUARD_ENV=development $(BIN)/placeguard manage migrate --no-input -v 0

demo: migrate
	PLACEGUARD_ENV=development $(BIN)/placeguard demo load --if-empty

run: demo
	@PLACEGUARD_ENV=development $(BIN)/placeguard demo logins
	@echo "Serving PlaceGuard on http://127.0.0.1:$(PORT)/  (API: /api/v1/, schema: /api/v1/schema/)"
	PLACEGUARD_ENV=development $(BIN)/placeguard serve --port $(PORT)

# mypy's Django plugin imports the settings, which refuse production defaults: use test mode.
lint: install
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/lint-imports
	PLACEGUARD_ENV=test $(BIN)/mypy
	PLACEGUARD_ENV=test $(PY) manage.py check --fail-level WARNING
	PLACEGUARD_ENV=test $(PY) manage.py makemigrations --check --dry-run -v 1
	PLACEGUARD_ENV=test $(PY) manage.py spectacular --fail-on-warn --validate --file /dev/null

# Each pass gets its own data folder, so the two can run side by side (`make test`).
test-sqlite: install assets system-deps
	PLACEGUARD_ENV=test PLACEGUARD_DATA_DIR=$(CURDIR)/var/test-sqlite $(BIN)/pytest -m "not e2e" -q

# The Spark tests never touch the database: they run once, in test-sqlite.
test-pg: install system-deps
	PLACEGUARD_ENV=test PLACEGUARD_DATA_DIR=$(CURDIR)/var/test-pg scripts/with-postgres.sh $(BIN)/pytest -m "not e2e and not spark" -q

test-e2e: install assets chromium
	PLACEGUARD_ENV=test $(BIN)/pytest -m e2e -q

# The SQLite and PostgreSQL passes are single-process: run them side by side on two cores
# (each one's output is printed whole when it ends), then the browser pass.
test: lint assets system-deps chromium
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-pg
	$(MAKE) --no-print-directory test-e2e

bench: install
	@set -e; for f in benchmarks/bench_*.py; do echo "== $$f"; PLACEGUARD_ENV=test $(PY) $$f; done

screenshots: install assets chromium
	$(PY) scripts/screenshots.py docs/img

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var .mypy_cache .ruff_cache
