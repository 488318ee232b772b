# The README's two commands: `make demo` and `make test`. Each creates the virtualenv when
# needed and installs the package into it; later runs reuse it.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.pyskl_lite-installed
RUFF_ARGS := --line-length 100 --target-version py310 --select E,F,W,I,B,UP

.PHONY: install test demo lint serve browser

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): setup.py | $(PY)
	$(PY) -m pip install -e '.[test,pose,serve]'
	touch $@

install: $(STAMP)

test: install
	@$(MAKE) --no-print-directory browser || echo 'no chromium: the browser test skips'
	$(PY) -m pytest tests -q -rs -p no:cacheprovider --timeout=900 --durations=15

demo: install
	PYTHON=$(PY) bash tools/run_demo.sh

# The web app on http://127.0.0.1:8000 with the model `make demo` trained; the real clips of
# ../shared/data/videos are its samples when that folder exists. SERVE_ARGS: e.g. --port 8080.
SERVE_ARGS ?= $(if $(wildcard ../shared/data/videos),--samples ../shared/data/videos)
serve: install
	$(PY) tools/serve.py $(SERVE_ARGS)

# Debian's chromium for the browser test (tests/tools/test_serve_browser.py), installed with
# apt-get only when it is missing; needs root (as in CI), else it says what to run.
browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	{ [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium \
	  >/dev/null; } || \
	{ echo 'make browser: cannot install chromium here: sudo apt-get install chromium' >&2; \
	  exit 1; }

lint: install
	$(VENV)/bin/ruff check $(RUFF_ARGS) pyskl_lite tools tests setup.py
