# Two commands for a new user: `make report` and `make test` (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: report test install clean-venv fonts browser lint layers wheel-check pytest pdf-fixtures

# The venv is rebuilt only when the project's dependencies change.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	# pkuseg 0.0.25 ships only an sdist that compiles against numpy and cython, which
	# must already be installed; build isolation would hide them.
	$(BIN)/python -m pip install --quiet numpy cython
	$(BIN)/python -m pip install --quiet --no-build-isolation pkuseg==0.0.25
	$(BIN)/python -m pip install --quiet -e '.[nlp,dev,parquet]'
	# pkuseg's model copied once into a form that opens in 0.5 s (concepts/model_index.py)
	$(BIN)/python -c 'from plantrace.concepts.model_index import ensure_index; print(ensure_index())'
	touch $(STAMP)

install: $(STAMP)

# Debian packages the Python packages cannot bring: a Chinese font so PNG charts show
# Chinese (SVG and HTML do without), and Chromium for the browser test of report.html.
# Installed when missing and when this user can (root with apt-get); else a note says how.
APT_INSTALL = if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null) \
	  || echo "note: could not apt-get install $(1)"; \
	else echo "note: install $(1) (e.g. sudo apt-get install $(1))"; fi

fonts:
	@fc-list :lang=zh 2>/dev/null | grep -q . || { $(call APT_INSTALL,fonts-wqy-microhei); }

browser: fonts
	@command -v chromium >/dev/null 2>&1 || { $(call APT_INSTALL,chromium); }

# Remake tests/fixtures/pdf/ (committed, so tests need none of this): Chromium and
# LibreOffice writer print the bundled excerpts with running headers and footers.
pdf-fixtures: $(STAMP) browser
	@command -v soffice >/dev/null 2>&1 || { $(call APT_INSTALL,libreoffice-writer-nogui); }
	@command -v pdftoppm >/dev/null 2>&1 || { $(call APT_INSTALL,poppler-utils); }
	@fc-list | grep -qi "WenQuanYi Micro Hei" || { $(call APT_INSTALL,fonts-wqy-microhei); }
	$(BIN)/python -m pip install --quiet img2pdf
	$(BIN)/python tests/fixtures/pdf/make_fixtures.py

report: $(STAMP) fonts
	$(BIN)/plantrace report corpora/chengdu --force

# `make test` is what CI runs (.ci/run): lint, the layer rule, the wheel check, the suite.
test: lint layers wheel-check pytest

pytest: $(STAMP) browser
	$(BIN)/python -m pytest

# ruff (RUF001-RUF003 off: Chinese punctuation is the data) on the package, the tests and the
# benchmarks; mypy on the package.
lint: $(STAMP)
	$(BIN)/ruff check toolkit tests benchmarks
	$(BIN)/mypy toolkit/plantrace

# A module imports only its own layer or the layers below it (README "Architecture").
layers: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_layers.py

# Build the wheel, install it with its dependencies into a fresh virtual environment
# outside the checkout, and run `plantrace report` on a copy of corpora/chengdu with the
# bundled lexicon: proves every data file ships inside the wheel. pip's cache is reused.
WHEEL_TMP ?= $(shell mktemp -d /tmp/plantrace-wheel.XXXXXX 2>/dev/null || echo /tmp/plantrace-wheel)
wheel-check: $(STAMP)
	@set -e; tmp="$(WHEEL_TMP)"; echo "wheel-check in $$tmp"; 	$(BIN)/python -m pip wheel --quiet --no-deps --no-build-isolation -w "$$tmp/dist" . ; 	ls "$$tmp"/dist/plantrace-*.whl; 	$(PYTHON) -m venv "$$tmp/venv"; 	"$$tmp/venv/bin/python" -m pip install --quiet --upgrade pip setuptools wheel; 	"$$tmp/venv/bin/python" -m pip install --quiet numpy cython; 	"$$tmp/venv/bin/python" -m pip install --quiet --no-build-isolation pkuseg==0.0.25; 	"$$tmp/venv/bin/python" -m pip install --quiet "$$tmp"/dist/plantrace-*.whl; 	cp -r corpora/chengdu "$$tmp/chengdu"; 	cd "$$tmp" && PYTHONNOUSERSITE=1 "$$tmp/venv/bin/python" -c "import plantrace, sys; 	  from plantrace.resources import data_dir; 	  assert 'site-packages' in plantrace.__file__, plantrace.__file__; 	  print('installed plantrace', plantrace.__version__, 'from', plantrace.__file__); 	  print('bundled data:', ', '.join(sorted(p.name for p in data_dir().iterdir())))"; 	cd "$$tmp" && PYTHONNOUSERSITE=1 "$$tmp/venv/bin/plantrace" --quiet report "$$tmp/chengdu" --out "$$tmp/out"; 	test -s "$$tmp/out/report.html" && test -s "$$tmp/out/counts.csv"; 	echo "wheel-check OK: $$(ls "$$tmp/out" | tr '\n' ' ')"; 	rm -rf "$$tmp"

clean-venv:
	rm -rf $(VENV)
