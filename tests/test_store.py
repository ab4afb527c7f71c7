"""The processed-corpus store: unchanged documents are never normalised again, and a
warm run after a lexicon edit only re-matches (no normalisation, no segmentation)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from tests.conftest import CORPORA

import plantrace
from plantrace.concepts import segment
from plantrace.concepts.lexicon import LEXICON_DIR, load_lexicon
from plantrace.engine import load as corpus_module
from plantrace.engine import store as store_module
from plantrace.engine.store import TOKEN_SEP, Store, default_store_path
from plantrace.measure import corpus_counts
from plantrace.structure.structure import DeferredStructure


@pytest.fixture()
def chengdu_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "chengdu"
    shutil.copytree(CORPORA / "chengdu", dst, ignore=shutil.ignore_patterns(".plantrace"))
    return dst


def _edited_lexicon(tmp_path: Path) -> Path:
    data = yaml.safe_load((LEXICON_DIR / "planning_concepts.yaml").read_text(encoding="utf-8"))
    for c in data["concepts"]:
        if c["id"] == "park_city":
            c["label"] = "公园城市"
            c["note"] = "edited"
            c["aliases"] = ["公园城市", "公园城市建设"]  # a longer alias in clauses already segmented
        if c["id"] == "chengyu_economic_circle":
            c["aliases"] = [a for a in c["aliases"] if a != "双城记"]  # an alias removed
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_warm_run_after_lexicon_edit_does_no_normalisation_or_segmentation(chengdu_copy: Path, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    cold = plantrace.load_corpus(chengdu_copy)
    assert cold.store_stats["documents_put"] == 5
    corpus_counts(cold)
    # A new process would start with empty caches: clear this one's, then make any
    # normalisation or segmentation fail loudly.
    segment._clauses.clear()
    monkeypatch.setattr(segment, "_load", lambda *a, **k: pytest.fail("segmented on a warm run"))
    monkeypatch.setattr(corpus_module, "build_document", lambda *a, **k: pytest.fail("normalised on a warm run"))
    warm = plantrace.load_corpus(chengdu_copy)
    assert warm.store_stats == {"documents_hit": 5, "documents_put": 0, "matches_hit": 0, "matches_put": 0}
    edited = load_lexicon(_edited_lexicon(tmp_path))
    counts = corpus_counts(warm, edited)
    assert warm.store_stats["match_matches_put"] == 5  # re-matched, from stored segmentations
    # The result equals a from-scratch run without the store.
    monkeypatch.undo()
    fresh = corpus_counts(plantrace.load_corpus(chengdu_copy, store=False), edited)
    pd.testing.assert_frame_equal(counts.reset_index(drop=True), fresh.reset_index(drop=True))
    row = counts[(counts.doc_id == "qingyang_2021_plan_outline") & (counts.concept_id == "park_city")]
    assert int(row["count"].iloc[0]) == 14


def test_unchanged_documents_come_back_identical(chengdu_copy: Path) -> None:
    first = plantrace.load_corpus(chengdu_copy)
    again = plantrace.load_corpus(chengdu_copy)
    assert again.store_stats["documents_hit"] == 5
    for a, b in zip(first.docs, again.docs):
        assert (a.text, a.zones, a.structure, a.explanation, a.config) == (b.text, b.zones, b.structure,
                                                                           b.explanation, b.config)
        assert (a.mapped.starts == b.mapped.starts).all() and (a.mapped.ends == b.mapped.ends).all()


def test_an_edited_document_is_processed_again(chengdu_copy: Path) -> None:
    plantrace.load_corpus(chengdu_copy)
    f = chengdu_copy / "xindu_2021_signed_article.txt"
    f.write_text(f.read_text(encoding="utf-8") + "\n推进公园城市建设。", encoding="utf-8")
    again = plantrace.load_corpus(chengdu_copy)
    assert again.store_stats["documents_put"] == 1 and again.store_stats["documents_hit"] == 4


def test_store_tables_answer_sql(chengdu_copy: Path) -> None:
    corpus = plantrace.load_corpus(chengdu_copy)
    corpus_counts(corpus)
    store = Store(corpus.store_path)
    try:
        n = store.con.execute(
            "SELECT count(*) FROM sentences s JOIN documents d USING (doc_key) "
            "WHERE d.doc_id = 'qingyang_2021_plan_outline' AND s.zone = 'body' AND s.text LIKE '%公园城市%'").fetchone()[0]
        # Qingyang's 14 mentions of 公园城市 stand in 12 body sentences (two hold two each).
        m = corpus.mentions()
        q = m[(m.doc_id == "qingyang_2021_plan_outline") & (m.zone == "body") & m.alias.str.contains("公园城市")]
        assert len(q) == 14 and q.sentence_id.nunique() == 12 == n
        mentions = store.con.execute("SELECT count(*) FROM candidates WHERE reason IS NULL").fetchone()[0]
        assert mentions == len(corpus.mentions())
    finally:
        store.close()


# --- bulk writes, per-document transactions, speed-ups that must not change results ----------

_KILL_SCRIPT = """
import os, signal, sys
import plantrace
from plantrace.engine import store
from plantrace.measure import corpus_counts

corpus_dir, phase = sys.argv[1], sys.argv[2]
done = []
insert = store.Store._insert

def dying_insert(self, table, columns):
    insert(self, table, columns)
    if table == {"load": "sentences", "counts": "candidates"}[phase] and len(done) == 2:
        os.kill(os.getpid(), signal.SIGKILL)  # mid-transaction of the third document

for name, counter in (("put_document", "load"), ("put_candidates", "counts")):
    def wrap(original, counter=counter):
        def put(self, *a):
            original(self, *a)
            if counter == phase:
                done.append(a[0])
        return put
    setattr(store.Store, name, wrap(getattr(store.Store, name)))
store.Store._insert = dying_insert
corpus_counts(plantrace.load_corpus(corpus_dir))
"""


@pytest.mark.parametrize("phase", ["load", "counts"])
def test_a_killed_run_keeps_each_finished_document_and_nothing_half_written(
        chengdu_copy: Path, tmp_path: Path, phase: str) -> None:
    import subprocess
    import sys

    script = tmp_path / "die.py"
    script.write_text(_KILL_SCRIPT, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), str(chengdu_copy), phase], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == -9, proc.stderr
    store = Store(default_store_path(chengdu_copy))
    try:
        con = store.con
        if phase == "load":
            assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 2
            # The third document's sentences were inserted, then the process died: none kept.
            orphans = con.execute("SELECT count(*) FROM sentences WHERE doc_key NOT IN "
                                  "(SELECT doc_key FROM documents)").fetchone()[0]
            assert orphans == 0
        else:
            assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 5
            assert con.execute("SELECT count(*) FROM matched").fetchone()[0] == 2
            orphans = con.execute("SELECT count(*) FROM candidates c WHERE NOT EXISTS (SELECT 1 FROM matched m "
                                  "WHERE m.doc_key = c.doc_key AND m.lexicon_sha256 = c.lexicon_sha256)"
                                  ).fetchone()[0]
            assert orphans == 0
    finally:
        store.close()
    again = plantrace.load_corpus(chengdu_copy)
    expected_hits = 2 if phase == "load" else 5
    assert again.store_stats["documents_hit"] == expected_hits
    assert again.store_stats["documents_put"] == 5 - expected_hits
    counts = corpus_counts(again)
    assert again.store_stats["match_matches_hit"] == (0 if phase == "load" else 2)
    fresh = corpus_counts(plantrace.load_corpus(chengdu_copy, store=False))
    pd.testing.assert_frame_equal(counts.reset_index(drop=True), fresh.reset_index(drop=True))


def test_cold_warm_and_no_store_runs_agree(chengdu_copy: Path) -> None:
    fresh = plantrace.load_corpus(chengdu_copy, store=False)
    cold = plantrace.load_corpus(chengdu_copy)
    warm = plantrace.load_corpus(chengdu_copy)
    assert warm.store_stats["documents_hit"] == 5
    frames = [(c.to_frame(), corpus_counts(c), c.mentions(), c.rejected()) for c in (fresh, cold, warm)]
    for other in frames[1:]:
        for a, b in zip(frames[0], other):
            pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
    for a, b in zip(fresh.docs, warm.docs):
        assert (a.text, a.zones, a.structure, a.explanation, a.config, a.body_chars) == (
            b.text, b.zones, b.structure, b.explanation, b.config, b.body_chars)


def test_rows_go_in_without_pyarrow(chengdu_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # pyarrow is optional: rows are then handed to DuckDB as pandas DataFrames.
    monkeypatch.setattr(store_module, "_table_maker", lambda: store_module._frame_table)
    cold = plantrace.load_corpus(chengdu_copy)
    counts = corpus_counts(cold)
    warm = plantrace.load_corpus(chengdu_copy)
    assert warm.store_stats["documents_hit"] == 5
    assert [d.structure for d in warm.docs] == [d.structure for d in cold.docs]
    pd.testing.assert_frame_equal(corpus_counts(warm).reset_index(drop=True), counts.reset_index(drop=True))
    assert warm.store_stats["match_matches_hit"] == 5


def test_put_clauses_writes_only_new_clauses_with_the_next_candidates(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    st = Store(path)
    st.put_clauses({"甲乙": ("甲", "乙")})
    st.put_candidates("doc", "lex", [("c", "甲乙", 0, 2, None)])
    assert st.con.execute("SELECT count(*) FROM clauses").fetchone()[0] == 1  # committed with the candidates
    st.put_clauses({"甲乙": ("甲", "乙"), "丙丁": ("丙", "丁")})
    assert st._pending_clauses == {"丙丁": TOKEN_SEP.join(("丙", "丁"))}  # the stored one is skipped
    assert st.get_clauses(["甲乙", "丙丁", "戊"]) == {"甲乙": ("甲", "乙"), "丙丁": ("丙", "丁")}
    st.close()  # a clause no candidates were written after is written on close
    st = Store(path)
    try:
        assert st.get_clauses() == {"甲乙": ("甲", "乙"), "丙丁": ("丙", "丁")}
        assert st.get_candidates("doc", "lex") == [("c", "甲乙", 0, 2, None)]
    finally:
        st.close()


def test_two_stores_on_one_file_never_duplicate_rows(chengdu_copy: Path, tmp_path: Path) -> None:
    # Each Store writes a row it found absent without deleting first; should another Store
    # (same process, same file) have written it meanwhile, the write is redone safely.
    doc = plantrace.load_corpus(chengdu_copy, store=False).docs[0]
    path = tmp_path / "s.duckdb"
    a, b = Store(path), Store(path)
    try:
        assert a.get_document("k") is None and a.get_candidates("k", "lex") is None
        a.put_clauses({"甲乙": ("甲", "乙")})
        for st in (b, a):
            st.put_document("k", doc)
            st.put_clauses({"甲乙": ("甲", "乙")})
            st.put_candidates("k", "lex", [("c", "甲乙", 0, 2, None), ("c", "甲乙", 5, 7, "boundary")])
        con = a.con
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM sentences").fetchone()[0] == len(doc.sentences)
        assert con.execute("SELECT count(*) FROM headings").fetchone()[0] == len(doc.headings)
        assert con.execute("SELECT count(*) FROM candidates").fetchone()[0] == 2
        assert con.execute("SELECT count(*) FROM matched").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM clauses").fetchone()[0] == 1
        data = a.get_document("k")
        assert data is not None and len(data["sentences"]) == len(doc.sentences)
    finally:
        a.close()
        b.close()


def test_body_chars_counts_what_str_isspace_calls_text() -> None:
    import re

    from plantrace.structure.document import _WHITESPACE

    assert _WHITESPACE.pattern == r"\s"
    # The regex's \s and str.isspace() agree on every code point …
    assert [c for c in range(0x110000) if bool(re.match(r"\s", chr(c))) != chr(c).isspace()] == []
    # … so body_chars equals the character-by-character definition.
    for doc in plantrace.load_corpus(CORPORA / "chengdu", store=False):
        assert doc.body_chars == sum(1 for ch in doc.body_text if not ch.isspace())


def test_identical_files_share_stored_candidates_without_doubling(chengdu_copy: Path, tmp_path: Path) -> None:
    # The same article under two doc ids (a researcher's corpus often has a reposted copy):
    # one store key. A lexicon edit writes both documents' candidates in one batch; a
    # re-run from the store must still count each mention once per document.
    src = chengdu_copy / "xindu_2021_signed_article.txt"
    shutil.copyfile(src, chengdu_copy / "xindu_2021_signed_article_repost.txt")
    manifest = chengdu_copy / "manifest.csv"
    row = next(line for line in manifest.read_text(encoding="utf-8").splitlines()
               if line.startswith("xindu_2021_signed_article,"))
    with manifest.open("a", encoding="utf-8") as f:
        f.write(row.replace("xindu_2021_signed_article", "xindu_2021_signed_article_repost") + "\n")
    edited = load_lexicon(_edited_lexicon(tmp_path))
    cold = plantrace.load_corpus(chengdu_copy)
    corpus_counts(cold)
    corpus_counts(cold, edited)  # the edit: documents re-resolved from memory, written in one batch
    rerun = corpus_counts(plantrace.load_corpus(chengdu_copy), edited)
    assert rerun.attrs["provenance"]["lexicon_sha256"] == edited.sha256
    fresh = corpus_counts(plantrace.load_corpus(chengdu_copy, store=False), edited)
    pd.testing.assert_frame_equal(rerun.reset_index(drop=True), fresh.reset_index(drop=True))
    # 004 has 公園城市 once (a gloss in the raw file): once in each copy, not twice.
    for doc_id in ("xindu_2021_signed_article", "xindu_2021_signed_article_repost"):
        hit = rerun[(rerun.doc_id == doc_id) & (rerun.concept_id == "park_city")]
        assert int(hit["count"].iloc[0]) == 1


def test_lexicon_edit_in_a_new_process_starts_from_the_last_stored_match(
        chengdu_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh `plantrace count` after one alias is added re-resolves only the documents
    the alias occurs in (as within one process), and its counts equal a run from nothing."""
    from plantrace.measure import matching

    cold = plantrace.load_corpus(chengdu_copy)
    corpus_counts(cold)
    data = yaml.safe_load((LEXICON_DIR / "planning_concepts.yaml").read_text(encoding="utf-8"))
    # 文博青羊 occurs only in the Qingyang outline, 5 times (qingyang_2021_plan_outline.txt,
    # characters 1775 天府文化,文博青羊魅力, 1794 千年蜀都·文博青羊, 27070 精塑“文博青羊”品牌,
    # 27090 全面提升“文博青羊”, 27762 提升“文博青羊”品牌国际影响力; none in the other four).
    data["concepts"].append({"id": "wenbo_qingyang", "label": "文博青羊", "category": "culture",
                             "aliases": ["文博青羊"], "parent": None, "note": "test", "source": "test"})
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    edited = load_lexicon(path)

    resolved: list[int] = []
    real = matching.resolve_candidates
    monkeypatch.setattr(matching, "resolve_candidates", lambda *a, **k: resolved.append(1) or real(*a, **k))
    segment._clauses.clear()  # a new process
    warm = plantrace.load_corpus(chengdu_copy)
    counts = corpus_counts(warm, edited)
    assert len(resolved) == 1
    # Counting read the sentence of each mention from the stored rows: no document's
    # 1,000-odd Sentence objects were built (a third of the load before).
    assert all(isinstance(d.structure, DeferredStructure) and d.structure.rows_pending for d in warm)
    kwic = warm.kwic("文博青羊", lexicon=edited)
    assert kwic["sentence_id"].tolist() == plantrace.load_corpus(chengdu_copy, store=False).kwic(
        "文博青羊", lexicon=edited)["sentence_id"].tolist()
    wenbo = counts[counts["concept_id"] == "wenbo_qingyang"]
    assert wenbo[["doc_id", "count"]].values.tolist() == [["qingyang_2021_plan_outline", 5]]
    monkeypatch.undo()
    fresh = corpus_counts(plantrace.load_corpus(chengdu_copy, store=False), edited)
    pd.testing.assert_frame_equal(counts.reset_index(drop=True), fresh.reset_index(drop=True))

    # Without the stored aliases of the earlier match, every document is resolved again.
    resolved.clear()
    monkeypatch.setattr(matching, "resolve_candidates", lambda *a, **k: resolved.append(1) or real(*a, **k))
    store = Store(default_store_path(chengdu_copy))
    store.con.execute("DELETE FROM lexicons")
    store.close()
    data["concepts"][-1]["aliases"] = ["文博青羊", "青羊"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    corpus_counts(plantrace.load_corpus(chengdu_copy), load_lexicon(path))
    assert len(resolved) == 5
