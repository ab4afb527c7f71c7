# Two commands for a new user: `make report` and `make test` (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: report test install clean-venv

# The venv is rebuilt only when the project's dependencies change.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	# pkuseg 0.0.25 ships only an sdist that compiles against numpy and cython, which
	# must already be installed; build isolation would hide them.
	$(BIN)/python -m pip install --quiet numpy cython
	$(BIN)/python -m pip install --quiet --no-build-isolation pkuseg==0.0.25
	$(BIN)/python -m pip install --quiet -e '.[nlp,dev]'
	touch $(STAMP)

install: $(STAMP)

report: $(STAMP)
	$(BIN)/plantrace report corpora/chengdu

test: $(STAMP)
	$(BIN)/python -m pytest

clean-venv:
	rm -rf $(VENV)
