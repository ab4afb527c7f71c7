"""Structural checks behind "memory flat as the corpus grows" (issue 16): what a loaded
document keeps, never how many megabytes a process takes (that depends on the machine;
benchmarks/run.py reports each job's peak RSS).
"""

from __future__ import annotations

import pickle
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.conftest import CORPORA

import plantrace
from plantrace.text.textmap import MappedText, decode_runs, encode_runs


def test_an_offset_map_costs_far_less_than_its_text(chengdu: plantrace.Corpus) -> None:
    # Two int32 offsets per character were 8 bytes a character, four times the text
    # (UCS-2): the largest part of a loaded corpus. Run-encoded, the map is what the
    # normaliser changed, and the pickle a worker sends back is about the text alone.
    # (A page of pinyin glosses starts a run every few characters: the sum is what counts.)
    chars = sum(len(d.text) for d in chengdu.docs)
    assert sum(d.mapped.runs for d in chengdu.docs) < chars / 20
    assert sum(len(pickle.dumps(d.mapped)) for d in chengdu.docs) < 4 * chars


def test_run_encoded_offsets_give_every_span_the_per_character_map_gives(chengdu: plantrace.Corpus) -> None:
    rnd = random.Random(16)
    for doc in chengdu.docs:
        starts, ends = doc.mapped.starts, doc.mapped.ends
        assert len(starts) == len(ends) == len(doc.text)
        back = MappedText(doc.text, starts, ends, doc.mapped.raw_length)
        assert back == doc.mapped and pickle.loads(pickle.dumps(doc.mapped)) == doc.mapped
        for _ in range(200):
            a = rnd.randrange(len(doc.text))
            b = rnd.randrange(a + 1, min(a + 40, len(doc.text)) + 1)
            assert doc.raw_offsets(a, b) == (int(starts[a]), int(ends[b - 1]))


def test_runs_round_trip_any_sequence() -> None:
    rnd = np.random.default_rng(16)
    for n in (0, 1, 2, 50, 1000):
        values = np.cumsum(rnd.integers(0, 3, n))
        pos, val = encode_runs(values)
        assert decode_runs(pos, val, n).tolist() == values.tolist()


def test_sentences_carry_no_dict_and_rows_share_their_heading_path(tmp_path: Path) -> None:
    # A large corpus holds millions of sentences and mention rows: a __dict__ per sentence
    # and a joined heading path per row were most of their size. Both ways a document
    # comes: built, and read back from the store (its sentence rows answer for it).
    store = tmp_path / "store.duckdb"
    for _ in ("built", "from the store"):
        corpus = plantrace.load_corpus(CORPORA / "chengdu", store=store)
        doc = corpus["qingyang_2021_plan_outline"]
        corpus.match()
        rows = corpus.match_state[doc.doc_id].rows  # what the corpus keeps per document across lexicons
        paths = list(rows.heading_path)
        assert len(set(paths)) > 5
        assert len({id(p) for p in paths}) == len(set(paths))
    assert corpus.store_stats["documents_hit"] == len(corpus.docs)
    assert not hasattr(doc.sentences[0], "__dict__") and not hasattr(doc.paragraphs[0], "__dict__")


def test_the_clause_cache_is_bounded_and_loses_nothing_the_store_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every clause a cold run segmented was held to the end of the process: about 0.3 GB
    # for 1,400 distinct documents. The cache keeps the newest MAX_CLAUSES.
    from plantrace.concepts import segment

    monkeypatch.setattr(segment, "MAX_CLAUSES", 5)
    monkeypatch.setattr(segment, "_clauses", {})
    monkeypatch.setattr(segment, "_used", {})
    clauses = [f"推动第{i}项创新经济发展" for i in range(12)]
    first = [segment.segment_clause(c) for c in clauses]
    assert len(segment._clauses) == 5 and list(segment._clauses) == clauses[-5:]
    # what the document used goes to the store whole, dropped from the cache or not
    assert segment.take_new_clauses() == dict(zip(clauses, first))
    segment.preload_clauses({c: t for c, t in zip(clauses, first)})
    assert len(segment._clauses) == 5
    assert [segment.segment_clause(c) for c in clauses] == first  # a dropped clause: the same tokens again


@pytest.mark.parametrize("maker", ["_arrow_table", "_frame_table"])
def test_writing_the_store_leaves_the_documents_strings_as_they_were(
        tmp_path: Path, maker: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # DuckDB and pyarrow read a str through CPython's UTF-8 view of it, which CPython then
    # keeps inside the string: 3 bytes a Chinese character on top of its 2. Handed the
    # documents' own texts and sentences, a cold run over 1,400 documents (the distinct
    # 10× corpus) kept 714 MB after loading instead of 557 MB. Measured with getsizeof,
    # which counts that view: it must not grow when the store is written.
    import sys

    from plantrace.engine import store as store_module

    monkeypatch.setattr(store_module, "_table_maker", lambda: getattr(store_module, maker))
    built = plantrace.load_corpus(CORPORA / "chengdu", store=False)
    before = [(sys.getsizeof(d.text), sum(sys.getsizeof(s.text) for s in d.sentences)) for d in built.docs]
    cold = plantrace.load_corpus(CORPORA / "chengdu", store=tmp_path / "store.duckdb")
    assert cold.store_stats["documents_put"] == len(cold.docs) == 5
    after = [(sys.getsizeof(d.text), sum(sys.getsizeof(s.text) for s in d.sentences)) for d in cold.docs]
    assert after == before
    warm = plantrace.load_corpus(CORPORA / "chengdu", store=tmp_path / "store.duckdb")
    assert [d.structure for d in warm.docs] == [d.structure for d in cold.docs]  # the copies went in whole


def test_loaded_documents_hold_sentences_as_rows_until_asked(tmp_path: Path) -> None:
    # Sentence objects with their own text were the largest part of a loaded corpus
    # (some 8 bytes a character). Built or read back from the store, a document now holds
    # them as columns (SentenceRows); counting and the documents table never build them,
    # and what is built when asked equals a fresh split_structure of the text.
    from plantrace.structure.structure import DeferredStructure, split_structure

    store = tmp_path / "store.duckdb"
    for how in ("built", "from the store"):
        corpus = plantrace.load_corpus(CORPORA / "chengdu", store=store)
        assert corpus.store_stats["documents_hit"] == (0 if how == "built" else 5)
        corpus.counts()
        table = corpus.to_frame()
        assert all(isinstance(d.structure, DeferredStructure) and d.structure.rows_pending for d in corpus.docs), how
        for doc, sentences in zip(corpus.docs, table["sentences"]):
            fresh = split_structure(doc.text, list(doc.zones))
            assert sentences == sum(1 for s in fresh.sentences if s.zone == "body") > 50
            row = doc.structure.sentence_row_at(fresh.sentences[7].start)
            s7 = fresh.sentences[7]
            assert row == (s7.id, s7.paragraph_id, s7.start, s7.end, " > ".join(s7.heading_path), s7.zone,
                           s7.is_heading)
            assert doc.structure == fresh and not doc.structure.rows_pending  # built on asking, equal


def test_built_sentence_rows_keep_a_heading_that_holds_the_separator() -> None:
    # The store joins heading paths with " > "; a document built here keeps each path as
    # it was, so a heading that itself holds " > " comes back whole.
    from plantrace.structure.structure import Sentence, SentenceRows

    odd = ("一、A > B", "（一）公园城市")
    sents = [Sentence(0, 0, 0, 7, "一、A > B", odd[:1], "body", True),
             Sentence(1, 1, 8, 14, "建设公园城市", odd, "body", False),
             Sentence(2, 2, 15, 18, "附件一", (), "back", False)]
    rows = SentenceRows.from_sentences(sents)
    assert rows.sentences("一、A > B\n建设公园城市\n附件一") == tuple(sents)
    assert rows[1][4] == "一、A > B > （一）公园城市" and rows.count("body") == 2 and rows.count("front") == 0
    assert SentenceRows.from_rows(list(rows)).paths[1] == ("一、A", "B", "（一）公园城市")  # what the store can do


def test_texts_sent_to_worker_processes_come_back_as_they_were() -> None:
    # Pickling a str leaves its UTF-8 form inside it, as DuckDB does (the test above):
    # the raw texts sent to normalise and the texts sent to judge on a pool stayed 2.5
    # times their size with the documents (at 420 documents, 22 MB of tracemalloc's
    # multiprocessing/reduction.py). Sizes with getsizeof, which counts that form.
    import sys

    from plantrace.engine.runner import LocalRunner

    serial = plantrace.load_corpus(CORPORA / "chengdu", store=False)
    sizes = [(sys.getsizeof(d.raw), sys.getsizeof(d.text)) for d in serial.docs]
    runner = LocalRunner(2, force=True)
    try:
        pooled = plantrace.load_corpus(CORPORA / "chengdu", store=False, runner=runner)
        assert len(pooled.mentions()) > 100 and runner.decisions[0].work == "normalise"
        assert [d.work for d in runner.decisions if d.parallel] == ["normalise", "judge"]
    finally:
        runner.close()
    assert [(sys.getsizeof(d.raw), sys.getsizeof(d.text)) for d in pooled.docs] == sizes


def test_match_state_keeps_columns_shared_strings_and_only_the_aliases_that_occur(tmp_path: Path) -> None:
    # The corpus keeps every document's mention rows across lexicons: at the distinct 50×
    # benchmark corpus some 700,000 of them, at about 450 bytes each as tuples (a tuple per
    # row, another per judged candidate, an int object per offset), with a dict entry per
    # lexicon alias per document for where each alias occurs. Both ways a document's
    # candidates come: judged here, and read back from the store.
    from plantrace.concepts.lexicon import default_lexicon

    store = tmp_path / "store.duckdb"
    aliases = len(default_lexicon().alias_index)
    for _ in ("judged", "from the store"):
        corpus = plantrace.load_corpus(CORPORA / "chengdu", store=store)
        corpus.match()
        states = corpus.match_state
        doc = corpus["qingyang_2021_plan_outline"]
        rows = states[doc.doc_id].rows
        assert rows is not None and len(rows) > 100
        for column in ("start", "end", "raw_start", "raw_end", "sentence_id"):
            assert getattr(rows, column).dtype == np.int32
        # one string object per distinct value, not one per row
        for column in ("concept_id", "alias", "zone", "reason"):
            values = [v for v in getattr(rows, column) if v is not None]
            assert len({id(v) for v in values}) == len(set(values)), column
        assert sum(getattr(rows, c).nbytes for c in ("start", "end", "raw_start", "raw_end", "sentence_id",
                                                     "in_heading")) / len(rows) == 21
        for state in states.values():
            assert state.hits and all(state.hits.values()) and len(state.hits) < aliases / 2
        # the aliases scanned: one set for the corpus
        assert len({id(s.scanned) for s in states.values()}) == 1
        assert len(next(iter(states.values())).scanned) == aliases
    assert corpus.store_stats["match_matches_hit"] == len(corpus.docs)


def test_a_large_corpus_reads_raw_text_again_when_quoted_and_refuses_a_changed_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Past RAW_IN_MEMORY_CHARS the raw texts of text files are not kept (0.3 GB at the
    # distinct 50× corpus) but read again when something quotes them: the same quotes, the
    # same documents table; a file changed since loading is refused, naming it.
    import shutil

    from plantrace.engine import load
    from plantrace.ingest.read import RawSource
    from plantrace.measure import corpus_kwic

    root = tmp_path / "chengdu"
    shutil.copytree(CORPORA / "chengdu", root, ignore=shutil.ignore_patterns(".plantrace"))
    kept = plantrace.load_corpus(root, store=False)
    monkeypatch.setattr(load, "RAW_IN_MEMORY_CHARS", 0)
    lazy = plantrace.load_corpus(root, store=False)
    assert all(isinstance(d.raw_text, RawSource) for d in lazy.docs)
    assert all(isinstance(d.raw_text, str) for d in kept.docs)
    assert [d.raw for d in lazy.docs] == [d.raw for d in kept.docs]
    assert [d.raw_sha256 for d in lazy.docs] == [d.raw_sha256 for d in kept.docs]
    quoted = corpus_kwic(lazy, "park_city")
    assert len(quoted) > 20
    pd.testing.assert_frame_equal(quoted, corpus_kwic(kept, "park_city"))
    # 公园城市 as written in the file (traditional, broken by a space), at the mentions' offsets
    assert quoted["raw_keyword"].str.replace(r"\s", "", regex=True).str.contains("公[园園]城市").all()
    assert {"公園城市", "公 园城市"} <= {k for q in quoted["raw_keyword"] for k in ("公園城市", "公 园城市") if k in q}
    pd.testing.assert_frame_equal(lazy.to_frame().drop(columns="corpus"), kept.to_frame().drop(columns="corpus"))
    doc = lazy["qingyang_2021_plan_outline"]
    doc.entry.path.write_text(doc.raw.replace("公园城市", "公園城市", 1), encoding="utf-8")
    from plantrace.ingest import read

    read._read_again.cache_clear()  # the last few reads are kept (they were checked)
    with pytest.raises(plantrace.PlantraceError, match="the file changed after the corpus was loaded") as err:
        corpus_kwic(lazy, "park_city")
    assert str(doc.entry.path) in str(err.value) and "load the corpus again" in str(err.value)


def test_pyarrow_allocates_from_the_c_heap_unless_the_user_chose_a_pool() -> None:
    # pandas 3 keeps strings in pyarrow arrays; pyarrow's own mimalloc heap kept what frames
    # freed apart from Python's (the distinct 10× cold job peaked 40 MB higher). A user's
    # ARROW_DEFAULT_MEMORY_POOL stands.
    import os
    import subprocess
    import sys

    script = ("import plantrace, pyarrow as pa; c = plantrace.load_corpus('corpora/chengdu', store=False); "
              "c.match(); print(pa.default_memory_pool().backend_name)")
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    root = Path(__file__).resolve().parents[1]
    ours = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=root)
    theirs = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=root,
                            env={**env, "ARROW_DEFAULT_MEMORY_POOL": "mimalloc"})
    assert ours.stdout.split()[-1:] == ["system"], ours.stderr
    assert theirs.stdout.split()[-1:] == ["mimalloc"], theirs.stderr
