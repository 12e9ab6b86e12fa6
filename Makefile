# Buurtbot. `make run` and `make test` work on a fresh machine: they set up everything themselves.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install system-packages run test lint format messages mutation risk-model route-model clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian packages the tests use: Chromium for the browser tests (Playwright drives it at
# /usr/bin/chromium; `playwright install` cannot download here), gettext for `msgfmt --check`,
# and the checkers of deploy/ (tests/deploy): nginx and openssl for the proxy example,
# systemd-analyze for the unit, docker-compose for `compose config` (without recommends: the
# Docker daemon is not needed to check the file). Installed when missing and we are root;
# otherwise those tests say what is missing.
system-packages:
	@missing=""; lean=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	command -v systemd-analyze >/dev/null || missing="$$missing systemd"; \
	docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null \
	  || lean="docker-compose"; \
	if [ -n "$$missing$$lean" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian packages:$$missing $$lean"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq || exit 1; \
	    if [ -n "$$missing" ]; then apt-get install -y -qq $$missing >/dev/null || exit 1; fi; \
	    if [ -n "$$lean" ]; then \
	      apt-get install -y -qq --no-install-recommends $$lean >/dev/null || exit 1; \
	    fi; \
	  else \
	    echo "missing Debian packages:$$missing $$lean (install them to run every test)"; \
	  fi; \
	fi

run: install
	$(BIN)/buurtbot db upgrade
	$(BIN)/buurtbot run

test: install system-packages
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Translations (docs/i18n.md): extract every text into locales/messages.pot, update the
# catalogs from it (a new language gets one), set CLDR's plural rule (pybabel init writes a
# wrong one for ti), check each catalog with GNU msgfmt, and show what is left to translate.
LOCALES := ar ti en
POT := locales/messages.pot

messages: install
	$(BIN)/pybabel -q extract -F babel.cfg -c Translators: --project=Buurtbot --version=0.1.0 \
	  --copyright-holder="Buurtbot contributors" -o $(POT) .
	for lang in $(LOCALES); do \
	  $(BIN)/pybabel -q update -i $(POT) -d locales -l $$lang --init-missing --ignore-obsolete \
	    || exit 1; \
	done
	$(BIN)/python -m bot.authoring.i18n_extract plural-forms locales
	@for lang in $(LOCALES); do \
	  $(BIN)/pybabel -q compile -i locales/$$lang/LC_MESSAGES/messages.po -o /dev/null -l $$lang \
	    || exit 1; \
	done
	@if command -v msgfmt >/dev/null; then \
	  for lang in $(LOCALES); do \
	    msgfmt --check -o /dev/null locales/$$lang/LC_MESSAGES/messages.po || exit 1; \
	  done; \
	else \
	  echo "msgfmt not installed (make system-packages installs gettext): skipped msgfmt --check"; \
	fi
	$(BIN)/buurtbot i18n status

# Mutation testing of the risk matcher and the escalation decisions (docs/mutation.md). Slow:
# not part of `make test`. What to mutate and which tests run: [tool.mutmut] in pyproject.toml.
# PYTHONPATH: tests that start `buurtbot` as a process run the mutated copy, not this tree
# (mutants/ must exist before Python starts, or the import system skips it for good).
mutation: install
	@$(BIN)/python -c 'import importlib.metadata as m; assert m.version("mutmut") == "3.8.1"' \
	  2>/dev/null \
	  || $(BIN)/pip install --quiet -e '.[dev,mutation]'
	mkdir -p mutants
	PYTHONPATH=$(CURDIR)/mutants $(BIN)/mutmut run --max-children $$(nproc)
	$(BIN)/mutmut results

# The trained risk layer (docs/risk.md): leave-one-batch-out over training/risk/, thresholds,
# then the model on every batch, written to bot/risk/model/risk-model.npz. Commit the result;
# a test fails when the committed model does not match its data.
risk-model: install
	$(BIN)/python -m bot.risk.train

# The routing model of typed messages (docs/understanding.md): leave-one-batch-out figures over
# training/typed/ (written to training/typed/lobo-figures.json), then the model on every batch,
# written to bot/understanding/model/route-model.npz. Commit both.
route-model: install
	$(BIN)/python -m bot.understanding.train

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
