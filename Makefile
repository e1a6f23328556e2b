# Two entry points, each of which sets everything up from nothing:
#   make demo   - create .venv, install flopscope, run the example (examples/mlp.py)
#   make test   - create .venv, install flopscope with test, server and docs extras, run the test suite
#   make docs   - build the documentation site into site/ (warnings are errors)
#   make docs-serve - serve the documentation at http://127.0.0.1:8000
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test,server,docs]"
	touch $(STAMP)

.PHONY: install demo test bench docs docs-serve
install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/mlp.py

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/dispatch.py

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict

docs-serve: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs serve --strict --dev-addr 127.0.0.1:8000
