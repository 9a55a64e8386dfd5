# Set-up and the two everyday commands. `make site` builds the docs site, `make test` runs
# the test suite; both create .venv on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.rlref-installed

.PHONY: test conformance site serve lint bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# The CPU build of torch must come first: an unpinned torch pulls GBs of CUDA wheels.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[site,test]'
	# An editable install has no bytecode until a module is first imported, and none at all
	# where PYTHONDONTWRITEBYTECODE is set: compile it as pip does for an installed package
	# (every `rlref` run otherwise compiles its modules again, a tenth of `rlref check kb`).
	$(PY) -m compileall -q rlref
	touch $(STAMP)

# KaTeX and Mermaid for the site, installed from the pinned lock file (the site uses no CDN).
NODE_MODULES := site/node_modules/.package-lock.json

$(NODE_MODULES): site/package.json site/package-lock.json
	npm ci --prefix site --no-audit --no-fund --loglevel=error
	touch $(NODE_MODULES)

# The browser test builds the site, so it needs KaTeX and Mermaid too.
test: $(STAMP) $(NODE_MODULES)
	$(PY) -m pytest -q

# TRL 1.16's own trainer code against rlref, one test per row of rlref/algos/trl_map.py. TRL
# comes from the `conformance` extra, installed with torch pinned (or pip pulls CUDA wheels).
CONFORMANCE_STAMP := $(VENV)/.rlref-conformance

$(CONFORMANCE_STAMP): $(STAMP) pyproject.toml tests/conformance/constraints.txt
	$(PY) -m pip install --quiet -c tests/conformance/constraints.txt -e '.[conformance]'
	touch $(CONFORMANCE_STAMP)

conformance: $(CONFORMANCE_STAMP)
	$(PY) -m pytest -q -m conformance tests/conformance

# The formula statuses the site shows come from this `rlref verify` run: a formula that
# fails (exit 1) is shown on its page, any other error stops the build.
site: $(STAMP) $(NODE_MODULES)
	$(VENV)/bin/rlref verify || [ $$? -eq 1 ]
	$(VENV)/bin/rlref build

serve: $(STAMP) $(NODE_MODULES)
	$(VENV)/bin/rlref serve

# The issues' budgets, measured (figures in benchmarks/README.md; ~15 min, ~20 GB of RAM for
# the log-prob section). The full-length demo runs: $(PY) benchmarks/bench_demos.py
bench: $(STAMP) $(NODE_MODULES)
	$(PY) benchmarks/bench_vault.py
	$(PY) benchmarks/bench_formulas.py
	$(PY) benchmarks/bench_algos.py
	$(PY) benchmarks/bench_site.py

lint: $(STAMP)
	$(VENV)/bin/ruff check rlref tests benchmarks checks

clean:
	rm -rf build
