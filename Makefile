# Two commands on a fresh machine: `make demo` and `make test`. Both create .venv when missing.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast lint typecheck bench serve prompts clean fuzz test-browser vendor

# Browser libraries from npm, pinned with their integrity in web-vendor/package-lock.json
# (ECharts for the wallboard's charts), copied where the web tier serves hashed static
# files; both folders are git-ignored.
VENDOR := switchboard/web/static/vendor/echarts.min.js
$(VENDOR): web-vendor/package.json web-vendor/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: on Debian run 'apt-get install npm', then make again"; exit 1; }
	cd web-vendor && npm ci --ignore-scripts --no-audit --no-fund --silent
	mkdir -p $(@D)
	cp web-vendor/node_modules/echarts/dist/echarts.min.js $@
vendor: $(VENDOR)

# The browser tests use Debian's /usr/bin/chromium: Playwright must never fetch its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

$(STAMP): pyproject.toml $(VENDOR)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "switchboard needs Python 3.11 or newer: install python3.11 and run make again")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "python3 -m venv failed: on Debian run 'apt-get install python3-venv', then make again"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

demo: $(STAMP)
	$(BIN)/switchboard demo

# The built-in default database is /var/lib/switchboard; a checkout keeps its own in var/.
serve: $(STAMP)
	SWITCHBOARD_DATABASE_URL="$${SWITCHBOARD_DATABASE_URL:-sqlite:///$(CURDIR)/var/switchboard.sqlite}" \
	  $(BIN)/switchboard serve

# Synthesised prompts (espeak-ng + sox), laid out as Asterisk's sounds folder; not committed.
PROMPTS_OUT ?= var/prompts
FLOWS_DIR   ?= switchboard/ivr_flows/examples
prompts: $(STAMP)
	$(BIN)/switchboard prompts build --dir $(FLOWS_DIR) --out $(PROMPTS_OUT)

lint: $(STAMP) typecheck
	$(BIN)/ruff check .
	$(BIN)/ruff format --check switchboard tests bench

# Settings in pyproject.toml ([tool.mypy]): the zope.interface and pydantic plugins.
typecheck: $(STAMP)
	$(BIN)/python -m mypy switchboard

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check switchboard tests bench
	$(BIN)/python -m mypy switchboard
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The parser properties with 200x their suite budget (tens of minutes): before a release,
# not in CI. FUZZ_FACTOR=1000 for longer; failures are kept in .hypothesis/ and replayed.
FUZZ_FACTOR ?= 200
FUZZ_TESTS := tests/unit/test_parser_properties.py tests/unit/test_ami_frames_limits.py \
              tests/unit/test_agi_wire_hostile.py tests/unit/test_ami_values.py

fuzz: $(STAMP)
	SWITCHBOARD_FUZZ_FACTOR=$(FUZZ_FACTOR) $(BIN)/python -m pytest -p no:randomly \
	  -o timeout=0 -x -q $(FUZZ_TESTS)

# The pure layers only (markers set by directory in tests/conftest.py): seconds, no sockets.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "unit or protocol" $(PYTEST_ARGS)

# The seat page in chromium (apt-get install chromium fonts-noto-cjk); screenshots are
# kept in tests/browser/artifacts/.
test-browser: $(STAMP)
	$(BIN)/python -m pytest -q -m browser $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/bench_ami.py
	$(BIN)/python bench/bench_ami_path.py
	$(BIN)/python bench/bench_agi.py
	$(BIN)/python bench/bench_routing.py
	$(BIN)/python bench/bench_hostile.py
	$(BIN)/python bench/bench_agi_process.py
	$(BIN)/python bench/bench_seat_pop.py
	$(BIN)/python bench/bench_wallboard.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
