# Two commands a newcomer needs: `make run` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PO_FILES := $(wildcard locales/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run shell test lint typecheck unit setup catalogs extract bench clean

setup: $(STAMP) $(MO_FILES)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel -q compile -d locales -D messages -l $*

catalogs: $(MO_FILES)

## Run the bot: polling when TELEGRAM_BOT_TOKEN is set, otherwise the offline console.
run: setup
	$(BIN)/khuyenhoc run

shell: setup
	$(BIN)/khuyenhoc shell

## Lint, type check and the whole test suite (what CI runs), one pytest-xdist worker per CPU.
## A file at a time runs as usual, in one process: .venv/bin/python -m pytest tests/unit/test_x.py
## --dist loadfile keeps a file's tests on one worker: its module-scoped fixtures (a built
## wheel, a demo province) are built once, not once per worker.
test: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q -n auto --dist loadfile

## Refresh the message template and merge it into every catalog.
extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k ngettext:1,2 --no-location --sort-output --width 100 \
	  --project khuyenhoc-bot -o locales/messages.pot bot handlers
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --ignore-obsolete --width 100

bench: setup
	@for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) $(MO_FILES)
