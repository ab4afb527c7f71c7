"""The processed-corpus store: unchanged documents are never normalised again, and a
warm run after a lexicon edit only re-matches (no normalisation, no segmentation)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

import plantrace
from plantrace import corpus as corpus_module
from plantrace import segment
from plantrace.lexicon import LEXICON_DIR, load_lexicon
from plantrace.measure import corpus_counts
from plantrace.store import Store
from tests.conftest import CORPORA


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
