# Two commands do all the set-up on a fresh machine:
#   make report   -> creates .venv, installs tfp with the report extra, runs the main job on
#                    the embedded data
#   make test     -> creates .venv, installs tfp with its test extras, runs the default test suite
# make wheel-check builds the wheel, installs it without extras into a clean venv and runs
# tests/packaging/core_smoke.py from outside the checkout (CI runs it).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= tfp-report

.PHONY: report report-picture test test-all test-nojit lint typecheck bench docs wheel-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[report]"
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

report: $(VENV)/.installed
	$(BIN)/tfp report --out $(OUT)

# The README's picture: the report's first page as Chromium prints it (needs chromium).
report-picture: report
	$(BIN)/python -m tests.report.chromium $(OUT)/reporte_pp0093.html docs/_static/report_first_page.png

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n 2 -q tests
	$(BIN)/python -m pytest -q -p no:cacheprovider --doctest-modules src/tfp

test-all: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n 2 -q -m ""

test-nojit: $(VENV)/.installed-test
	NUMBA_DISABLE_JIT=1 $(BIN)/python -m pytest -q -m nojit

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks notebooks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy src/tfp

docs: $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -e ".[test,docs]"
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

# make bench                                   -> every workload of benchmarks/speed.py, tfp and R
# make bench BENCH_ARGS="--workloads ols-1m"   -> a subset; BENCH_ARGS="--quick" -> smoke run
BENCH_ARGS ?=
bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/speed.py $(BENCH_ARGS)

wheel-check: $(BIN)/python
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(BIN)/python -m pip wheel --quiet --no-deps . -w "$$tmp/dist"; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/python" -m pip install --quiet --upgrade pip; \
	"$$tmp/venv/bin/python" -m pip install --quiet "$$tmp"/dist/tfp-*.whl; \
	cp tests/packaging/core_smoke.py "$$tmp/"; \
	cd "$$tmp" && "$$tmp/venv/bin/python" core_smoke.py --installed --tfp-command "$$tmp/venv/bin/tfp"

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
