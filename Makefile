# hetao-kg: `make demo` and `make test` set everything up from a fresh clone.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
KG     := $(VENV)/bin/hetao-kg
STAMP  := $(VENV)/.installed

.PHONY: setup sysdeps demo test test-lowest validate stats bench screenshots closures clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Java for HermiT, Chromium + CJK fonts for the browser tests (Debian packages).
sysdeps:
	bash .ci/system-deps

# HermiT needs Java; without it the demo validates with the other three checks.
demo: $(STAMP)
	$(KG) validate $(if $(shell command -v java),,--check shacl --check owlrl --check sparql)
	$(KG) stats
	@echo
	@echo "== Hong Kong universities and what each brought in =="
	$(KG) query --named hk-university-projects --lang en
	$(KG) render hk-universities --lang en -o out/hk-universities.html
	@echo "open out/hk-universities.html in a browser (works offline)"

validate: $(STAMP)
	$(KG) validate

stats: $(STAMP)
	$(KG) stats

# Two processes (pytest-xdist), each test file whole on one of them: the suite waits on
# servers, browsers and timeouts as much as it computes.
test: $(STAMP) sysdeps
	$(PY) -m pytest -n 2 --dist loadfile

# The suite once against the LOWEST versions pyproject.toml allows (pip cannot resolve
# to lowest itself: .ci/lowest-constraints.py pins every lower bound as a constraint).
LOWEST := .venv-lowest
test-lowest: sysdeps
	$(PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/python -m pip install --quiet --upgrade pip
	$(PYTHON) .ci/lowest-constraints.py > $(LOWEST)/constraints.txt
	$(LOWEST)/bin/python -m pip install --quiet -c $(LOWEST)/constraints.txt -e '.[test]'
	HETAO_KG_CACHE=$(CURDIR)/.cache/lowest $(LOWEST)/bin/python -m pytest -p no:cacheprovider

bench: $(STAMP)
	$(PY) benchmarks/bench.py --runs 10

screenshots: $(STAMP)
	$(PY) docs/screenshots.py

# The OWL 2 RL closures the data needs and the embedded store's quads, shipped so a first
# build skips owlrl and the derivations; after any change to ontology/, graph_data/ or the
# code that builds the store (tests/test_closure.py and tests/test_snapshot.py say when).
closures: $(STAMP)
	$(PY) -m hetao_kg.store.closures

clean:
	rm -rf $(VENV) $(LOWEST) build dist *.egg-info .pytest_cache
