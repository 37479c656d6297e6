# stanwire — the README's two commands are `make demo` and `make test`.
# Both create .venv in the repository root when it is missing or stale (pyproject.toml or constraints.txt
# changed, or the interpreter it points at is gone) and install the pinned dependencies into it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.stanwire-installed

.PHONY: help venv browser demo test lint typecheck eval bench clean site

help:
	@echo "make demo   - run the whole pipeline offline on the bundled demo corpus"
	@echo "make test   - run the test suite and the linters"
	@echo "make lint   - ruff (lint + format check)"
	@echo "make typecheck - mypy"
	@echo "make eval   - extraction and NLP figures against trafilatura / plain en_core_web_sm, same run"
	@echo "make bench  - speed ratios against baselines measured in the same run"
	@echo "make site   - re-render demo/site from demo/corpus"
	@echo "make clean  - remove .venv and stanwire-data"

# A venv whose interpreter no longer runs (moved repo, other machine) is stale: rebuild it.
venv:
	@if [ -d $(VENV) ] && ! $(BIN)/python -c "import sys" >/dev/null 2>&1; then \
		echo "stale $(VENV): rebuilding"; rm -rf $(VENV); fi
	@$(MAKE) --no-print-directory $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c "import sys; v=sys.version_info; sys.exit(0 if v[:2]==(3,11) else 'stanwire needs Python 3.11, found %d.%d (set PYTHON=python3.11)' % v[:2])"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

demo: venv
	$(BIN)/stanwire demo

test: venv browser lint
	$(BIN)/python -m pytest

# The HTML digest is tested in headless Chromium: Debian's package, installed here when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for the HTML digest test"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

eval: venv
	$(BIN)/python eval/extraction/run_eval.py
	$(BIN)/python eval/nlp/run_eval.py
	$(BIN)/python eval/dedup/measure.py

bench: venv
	$(BIN)/python bench/run.py

site: venv
	$(BIN)/python demo/build_site.py

clean:
	rm -rf $(VENV) stanwire-data
