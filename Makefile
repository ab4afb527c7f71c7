# Two commands for a new user: `make report` and `make test` (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: report test install clean-venv fonts browser pdf-fixtures

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

test: $(STAMP) browser
	$(BIN)/python -m pytest

clean-venv:
	rm -rf $(VENV)
