"""Shared fixtures: the bundled corpora, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

import plantrace

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "corpora"


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
