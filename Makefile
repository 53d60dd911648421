# hetao-kg: `make demo` and `make test` set everything up from a fresh clone.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
KG     := $(VENV)/bin/hetao-kg
STAMP  := $(VENV)/.installed

.PHONY: setup demo test validate stats export clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(KG) validate
	$(KG) stats
	@echo
	@echo "== Hong Kong universities and what each brought in =="
	$(KG) query --named hk-university-projects --lang en

validate: $(STAMP)
	$(KG) validate

stats: $(STAMP)
	$(KG) stats

test: $(STAMP)
	$(PY) -m pytest

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
