# The two commands of the README. Everything else they need is installed from here.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install e2e-deps clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is nodig ($(PYTHON) niet gevonden)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

## make run: embedded PostgreSQL, migrations, demo data, web on :8000, worker and beat.
run: install
	$(PY) manage.py devstack

## make test: the same bootstrap, then the whole suite (embedded PostgreSQL or DATABASE_URL).
test: install e2e-deps
	$(PY) -m pytest -n 2 --dist loadgroup tests

## Debian's Chromium for the browser tests (Playwright drives it; no browser download).
e2e-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

clean:
	rm -rf $(VENV) .data
