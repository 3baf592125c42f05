# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install demo ewf-tools test lint typecheck layers unit chromium poppler vpdq bench bench-quick bench-hashsets bench-deps fuzz clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# The synthetic operation end to end (phunt demo --help for its options); its E01 device
# is made with Debian's ewf-tools, installed as root when missing.
demo: install ewf-tools
	$(VENV)/bin/phunt demo $(DEMO_ARGS)

ewf-tools:
	@if ! command -v ewfacquirestream >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && apt-get install -y -qq ewf-tools; \
		else \
			echo "ewf-tools missing and not root: sudo apt-get install ewf-tools (the demo needs it for its E01)"; \
		fi; \
	fi

lint: install
	$(VENV)/bin/ruff check src tests bench test_data
	$(VENV)/bin/ruff format --check src tests bench test_data

typecheck: install
	$(VENV)/bin/mypy

# The import-linter contracts in pyproject.toml: layers, pure stages, schema, no cycles.
layers: install
	$(VENV)/bin/lint-imports --no-cache

unit: install
	$(VENV)/bin/pytest

# The browser tests drive Debian's chromium (never a browser download): installed from
# Debian's packages when missing, as root; otherwise those tests skip with one line.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && apt-get install -y -qq chromium; \
		else \
			echo "chromium missing and not root: sudo apt-get install chromium (browser tests skip)"; \
		fi; \
	fi

# Report tests read PDFs with Debian's poppler-utils (pdftotext, pdftoppm).
poppler:
	@if ! command -v pdftotext >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && apt-get install -y -qq poppler-utils; \
		else \
			echo "poppler-utils missing and not root: sudo apt-get install poppler-utils (PDF checks skip)"; \
		fi; \
	fi

# Meta's vpdq, which python-threatexchange's vPDQ matcher imports (tests compare phunt's
# matcher with it): PyPI has only its source (no wheel), which pip builds with cmake against
# FFmpeg's headers. Built as root when missing; otherwise those tests skip with one line.
VPDQ_BUILD_DEPS := pkg-config cmake libavcodec-dev libavformat-dev libavutil-dev \
	libswscale-dev libswresample-dev libavfilter-dev libavdevice-dev
vpdq: install
	@if ! $(PY) -c "import vpdq" 2>/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			(apt-get update -qq && apt-get install -y -qq $(VPDQ_BUILD_DEPS) && \
			 $(PY) -m pip install --quiet vpdq==0.2.5) || \
			echo "vpdq did not build here (its threatexchange comparison skips)"; \
		else \
			echo "vpdq missing and not root: make vpdq as root (its threatexchange comparison skips)"; \
		fi; \
	fi

test: chromium poppler vpdq ewf-tools lint typecheck layers unit

bench: install
	$(PY) bench/run_all.py

# Every benchmark at reduced sizes (a smoke run for CI; writes no results file).
bench-quick: install
	$(PY) bench/run_all.py --quick

# Hash lists at real size (issue 14) against TSK's hfind and md5deep; HASHSETS_SCALE=0.01
# runs every size at 1 % (the results file then says so). Needs about 20 GB of free disk.
HASHSETS_SCALE ?= 1
bench-hashsets: install
	$(PY) bench/hashsets_scale.py --scale $(HASHSETS_SCALE)

# The benchmarks' peers, from Debian and PyPI (as root): hashdeep (and md5deep), The Sleuth
# Kit (hfind), the sqlite3 and ffmpeg CLIs, and Meta's vpdq, which builds against FFmpeg's
# headers. A peer that is missing is reported, not faked.
bench-deps: install vpdq
	apt-get update -qq
	apt-get install -y -qq hashdeep sleuthkit sqlite3 ffmpeg e2fsprogs

# Fuzz every reader for FUZZ_MINUTES (default 10) in all, split over the targets of
# tests/fuzz/targets.py; writes bench/results/fuzz.md and fails on a finding. atheris
# (libFuzzer, coverage-guided) joins hypothesis when its wheel installs; if not, the report says so.
FUZZ_MINUTES ?= 10
fuzz: install
	$(PY) -m pip install --quiet atheris==3.0.0 || echo "atheris did not install: hypothesis only"
	PYTHONPATH=tests $(PY) -m fuzz.run --minutes $(FUZZ_MINUTES)

clean:
	rm -rf $(VENV) phunt-data .pytest_cache .mypy_cache .ruff_cache
