"""Shared fixtures: the bundled corpora, loaded once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import plantrace

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "corpora"

# pkuseg's fast-load index (concepts/model_index.py) is built by the first test that
# loads the model; kept beside pytest's own cache (git-ignored), never in the user's home.
os.environ.setdefault("PLANTRACE_CACHE", str(ROOT / ".pytest_cache" / "plantrace-cache"))


@pytest.fixture(scope="session")
def chengdu() -> plantrace.Corpus:
    return plantrace.load_corpus(CORPORA / "chengdu")


@pytest.fixture(scope="session")
def national() -> plantrace.Corpus:
    return plantrace.load_corpus(CORPORA / "gwr-national")


@pytest.fixture(scope="session")
def provincial() -> plantrace.Corpus:
    return plantrace.load_corpus(CORPORA / "gwr-provincial-2025")


@pytest.fixture(scope="session")
def all_corpora(chengdu, national, provincial) -> list[plantrace.Corpus]:
    return [chengdu, national, provincial]
