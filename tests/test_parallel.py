"""Parallel runs give the serial run's results: local processes and a Dask LocalCluster."""

from __future__ import annotations

import pandas as pd
import pytest

import plantrace
from plantrace.measure import corpus_counts, corpus_words, match_corpus
from plantrace.engine.runner import LocalRunner, make_runner
from tests.conftest import CORPORA


def _tables(corpus: plantrace.Corpus) -> tuple:
    result = match_corpus(corpus)
    return (corpus_counts(corpus).reset_index(drop=True), result.rejected.reset_index(drop=True),
            # the text, and the raw file behind it (workers do not send the raw text back)
            [(d.text, d.raw_span(0, len(d.text)), d.raw_sha256) for d in corpus.docs],
            corpus_words(corpus, top=40, per_document=True))


def _parent_cannot_segment_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    # Whole documents must be segmented by the workers: forget what this process has
    # segmented and make segmenting here an error (spawned workers have the real code).
    import plantrace.concepts.segment as seg

    def refuse(*_args: object) -> None:
        raise AssertionError("a whole document was segmented in the parent process")

    monkeypatch.setattr(seg, "_doc_cache", {})
    monkeypatch.setattr(seg, "_cut_lines", refuse)


@pytest.fixture(scope="module")
def serial() -> tuple:
    return _tables(plantrace.load_corpus(CORPORA / "chengdu", store=False))


def test_local_processes_equal_serial(serial, monkeypatch: pytest.MonkeyPatch) -> None:
    import plantrace.engine.runner as par

    # The Chengdu corpus is small: force the pool even below its work threshold.
    monkeypatch.setattr(par, "MIN_PARALLEL_CHARS", 0)
    _parent_cannot_segment_documents(monkeypatch)
    runner = LocalRunner(2)
    try:
        corpus = plantrace.load_corpus(CORPORA / "chengdu", store=False, runner=runner)
        counts, rejected, texts, words = _tables(corpus)
        pool = runner._pool
    finally:
        runner.close()
    pd.testing.assert_frame_equal(counts, serial[0])
    pd.testing.assert_frame_equal(rejected, serial[1])
    assert texts == serial[2]
    pd.testing.assert_frame_equal(words, serial[3])
    assert pool is not None and runner._pool is None  # one pool served every map; closed


def test_dask_local_cluster_equals_local(serial, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    import plantrace.engine.runner as par

    monkeypatch.setattr(par, "MIN_PARALLEL_CHARS", 0)
    _parent_cannot_segment_documents(monkeypatch)
    runner = make_runner(dask_local=2)
    try:
        assert runner.name == "dask" and runner.workers == 2
        corpus = plantrace.load_corpus(CORPORA / "chengdu", store=False, runner=runner)
        counts, rejected, texts, words = _tables(corpus)
    finally:
        runner.close()
    pd.testing.assert_frame_equal(counts, serial[0])
    pd.testing.assert_frame_equal(rejected, serial[1])
    assert texts == serial[2]
    pd.testing.assert_frame_equal(words, serial[3])


def test_bad_jobs_value() -> None:
    from plantrace.errors import PlantraceError

    with pytest.raises(PlantraceError, match="--jobs must be at least 1"):
        make_runner(0)
