# Agora — the two commands are `make demo` and `make test`; see README.md.

PYTHON ?= $(shell command -v python3.13 || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
# Commands run on a developer's machine: DEBUG provides a local SECRET_KEY.
DEV := DEBUG=true
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test lint bench messages openapi check-python install install-dev browser-tools clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null || { \
	  echo "Agora needs Python 3.12 or newer, but '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "Install a newer Python (for example: pyenv install 3.13) or run: make PYTHON=/path/to/python3.13 ..."; \
	  exit 1; }

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Chromium and gettext (Debian packages), and axe-core (npm) for the browser tests.
browser-tools: node_modules/.installed
	scripts/ensure-system-packages

demo: $(VENV)/.installed
	$(DEV) $(BIN)/agora demo
	$(DEV) $(BIN)/agora serve --host 127.0.0.1 --port 8000 --with-worker --with-mail

test: $(VENV)/.installed-dev browser-tools
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DEV) $(BIN)/mypy agora
	$(DEV) $(BIN)/agora makemigrations --check --dry-run

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py

# Extract the strings to translate into agora/locale/*/django.po, then compile them.
messages: $(VENV)/.installed-dev
	cd agora && $(DEV) ../$(BIN)/agora makemessages --locale fr --locale en --no-obsolete --no-location \
	  --ignore "tests/*" --ignore "*/tests/*"
	$(BIN)/python scripts/tidy_catalogues.py
	cd agora && $(DEV) ../$(BIN)/agora compilemessages --locale fr --locale en

openapi: $(VENV)/.installed-dev
	$(DEV) $(BIN)/agora openapi --output docs/api/openapi.json

clean:
	rm -rf $(VENV) node_modules var/test
