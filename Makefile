# Two commands on a fresh machine: `make demo` and `make test`. Both create .venv when missing.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast lint bench serve clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "switchboard needs Python 3.11 or newer: install python3.11 and run make again")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "python3 -m venv failed: on Debian run 'apt-get install python3-venv', then make again"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

demo: $(STAMP)
	$(BIN)/switchboard demo

serve: $(STAMP)
	$(BIN)/switchboard serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check switchboard tests bench

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The pure layers only (markers set by directory in tests/conftest.py): seconds, no sockets.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "unit or protocol" $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/bench_ami.py
	$(BIN)/python bench/bench_agi.py
	$(BIN)/python bench/bench_routing.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
