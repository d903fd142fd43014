# Bastion: `make demo` sets up and runs the web app on real bundled data; `make test` sets up and passes the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export BASTION_DATA_DIR ?= $(CURDIR)/var

.PHONY: setup demo serve test test-fast lint bench web-assets system clean guide

setup: $(VENV)/.installed web-assets

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

web-assets: src/bastion/platform/web/static/vendor/.installed

src/bastion/platform/web/static/vendor/.installed: frontend/package.json frontend/package-lock.json
	@command -v npm >/dev/null || bash scripts/ensure-system.sh node
	cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run --silent vendor
	touch $@

demo: setup
	$(BIN)/bastion demo

serve: setup
	$(BIN)/bastion serve

system:
	bash scripts/ensure-system.sh

test: setup lint
	bash scripts/test.sh

test-fast: setup
	$(BIN)/python -m pytest -q -n 2 -m "not web and not slow"

lint: setup
	$(BIN)/lint-imports && $(BIN)/ruff check src tests bench && $(BIN)/mypy src/bastion

bench: setup
	for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b --quick || exit 1; done

# The user guide (docs/guide/, MkDocs + Material, en + zh, offline): generated reference, models copied in,
# built into src/bastion/platform/web/guide/ which `bastion serve` serves under /guide.
guide: $(VENV)/.installed
	$(BIN)/python -c 'import material, mkdocs_static_i18n' 2>/dev/null || $(BIN)/pip install -q -c constraints.txt -e '.[docs]'
	$(BIN)/python scripts/gen_reference.py
	$(BIN)/python scripts/gen_reference.py --models
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --quiet --strict -f docs/guide/mkdocs.yml

clean:
	rm -rf $(VENV) var frontend/node_modules src/bastion/platform/web/static/vendor src/bastion/platform/web/guide
