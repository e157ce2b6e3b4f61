# The two commands of the README. Each sets up .venv from pyproject.toml when needed.
VENV := .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $(STAMP)

.PHONY: setup demo test benchmarks
setup: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/qualcode demo

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q

benchmarks: $(STAMP)
	$(VENV)/bin/python -m benchmarks.run_all
