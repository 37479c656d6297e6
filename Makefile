# stanwire — the README's two commands are `make demo` and `make test`.
# Both create .venv in the repository root when it is missing or stale (pyproject.toml or constraints.txt
# changed, or the interpreter it points at is gone) and install the pinned dependencies into it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.stanwire-installed

.PHONY: help venv browser postgres faketime demo test test-clock lint typecheck eval bench bench-quick clean site

help:
	@echo "make demo   - run the whole pipeline offline on the bundled demo corpus"
	@echo "make test   - run the test suite, the linters and mypy (installs Debian's chromium if missing)"
	@echo "make test-clock - the date-sensitive tests with the clock moved to 2026-01-15, 2027-06-30, 2030-12-31"
	@echo "make lint   - ruff (lint + format check)"
	@echo "make typecheck - mypy"
	@echo "make eval   - NLP figures on real news (../shared/nlp-dev) and on our sets, extraction and dedup figures"
	@echo "make bench  - speed ratios against baselines measured in the same run (docs/PERFORMANCE.md; ~half an hour)"
	@echo "make bench-quick - the same benchmarks on a small corpus (under two minutes; CI runs it)"
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

# chromium is checked first: a machine that cannot have it learns so in one line before any install starts.
test: browser postgres venv lint typecheck
	$(BIN)/python -m pytest

# Debian packages the tests need, installed with apt when missing (as root, or with password-less sudo).
# Either is found, installed, or `make` stops with one line saying what is missing and why.
APT_INSTALL = \
	if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=sudo; \
	else echo "make: $$PKG is missing and cannot be installed here (apt-get needs root or password-less sudo): run 'sudo apt-get install $$PKG' once, then try again" >&2; exit 1; fi; \
	echo "installing Debian's $$PKG ($$WHY)"; \
	{ $$SUDO apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$PKG >/dev/null 2>&1; } || \
	{ echo "make: $$PKG is missing and 'apt-get install $$PKG' failed (no reachable Debian package source?): install $$PKG, then try again" >&2; exit 1; }

# The HTML digest is tested in headless Chromium.
browser:
	@command -v chromium >/dev/null 2>&1 || { PKG=chromium; WHY="the HTML digest is tested in headless Chromium"; $(APT_INSTALL); }

# The DuckLake tests start a throwaway PostgreSQL (tests/pg_server.py) with its initdb and pg_ctl.
postgres:
	@{ command -v initdb >/dev/null 2>&1 || test -x /usr/local/bin/initdb || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || \
		{ PKG=postgresql; WHY="the DuckLake tests run a real PostgreSQL catalog"; $(APT_INSTALL); }

faketime:
	@command -v faketime >/dev/null 2>&1 || { PKG=faketime; WHY="make test-clock moves the clock"; $(APT_INSTALL); }

# Nothing may depend on the day the suite runs: the tests that compare dates (extraction, feeds and their
# schedule, crawl jobs and landing, the loader, dedup, event groups, runs, the digest's week, `stanwire article`,
# the NLP's dates, the extraction figures, a backfill through the CLI) run with the system clock moved before,
# after and far after every date of the fixtures. CI runs this subset, the three dates side by side (under two
# minutes). Tests marked `realtime` (timeouts measured across threads) are left out: libfaketime does not move the clock of a thread's
# timed wait, so under it they hang or measure the tool; each run is bounded by `timeout` so a hang fails CI.
CLOCK_DATES = 2026-01-15 2027-06-30 2030-12-31
CLOCK_TESTS = tests/spiders/test_feeds.py tests/spiders/test_extract.py tests/spiders/test_sitemaps.py \
	tests/spiders/test_job.py tests/spiders/test_landing.py tests/warehouse/test_feed_schedule.py \
	tests/warehouse/test_feeds.py tests/warehouse/test_loader.py tests/warehouse/test_dedup.py \
	tests/warehouse/test_queries.py tests/warehouse/test_records.py tests/warehouse/test_event_groups.py \
	tests/warehouse/test_incremental.py tests/nlp/test_dates.py tests/eval_extraction/test_floors.py \
	tests/pipelines/test_poll_stage.py tests/pipelines/test_runs.py tests/pipelines/test_clock.py \
	tests/pipelines/test_cli_article.py tests/pipelines/test_digest_week.py tests/pipelines/test_reextract.py \
	tests/e2e/test_backfill.py
test-clock: faketime venv
	@rm -rf .clock-tests && mkdir -p .clock-tests; \
	for day in $(CLOCK_DATES); do \
		( timeout 900 faketime "$$day 12:00:00" $(BIN)/python -m pytest -q -p no:cacheprovider -m "not realtime" \
			--basetemp=.clock-tests/$$day $(CLOCK_TESTS) > .clock-tests/$$day.log 2>&1; echo $$? > .clock-tests/$$day.rc ) & \
	done; wait; status=0; \
	for day in $(CLOCK_DATES); do \
		echo "== clock at $$day 12:00: $$(tail -n 1 .clock-tests/$$day.log)"; \
		if [ "$$(cat .clock-tests/$$day.rc)" != 0 ]; then cat .clock-tests/$$day.log; status=1; fi; \
	done; rm -rf .clock-tests; exit $$status

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

# The real set first (../shared/nlp-dev, its own scorer; fails below eval/real_news/floors.json), then our
# invented sets. Every evaluation runs; make fails at the end if any of them did.
eval: venv
	@status=0; \
	$(BIN)/python eval/real_news/run.py || status=1; echo; \
	$(BIN)/python eval/nlp/run_eval.py || status=1; echo; \
	$(BIN)/python eval/extraction/run_eval.py || status=1; echo; \
	$(BIN)/python eval/dedup/measure.py || status=1; \
	exit $$status

bench: venv
	$(BIN)/python bench/run.py

bench-quick: venv
	$(BIN)/python bench/run.py --quick

site: venv
	$(BIN)/python demo/build_site.py

clean:
	rm -rf $(VENV) stanwire-data
