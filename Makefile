# The README's two commands: `make demo` and `make test`. Each creates the virtualenv when
# needed and installs the package into it; later runs reuse it.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.pyskl_lite-installed
RUFF_ARGS := --line-length 100 --target-version py310 --select E,F,W,I,B,UP

.PHONY: install test demo lint

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): setup.py | $(PY)
	$(PY) -m pip install -e '.[test]'
	touch $@

install: $(STAMP)

test: install
	$(PY) -m pytest tests -q -rs -p no:cacheprovider --timeout=900 --durations=15

demo: install
	PYTHON=$(PY) bash tools/run_demo.sh

lint: install
	$(VENV)/bin/ruff check $(RUFF_ARGS) pyskl_lite tools tests setup.py
