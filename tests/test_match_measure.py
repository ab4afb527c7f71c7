"""Concept matching and counts on the Chengdu corpus, values checked by reading the files."""

from __future__ import annotations

import pytest

from plantrace.concepts.lexicon import default_lexicon, lexicon_from_mapping
from plantrace.concepts.match import Matcher
from plantrace.measure import corpus_counts, corpus_keyness, corpus_kwic, corpus_words, match_corpus
from plantrace.text.normalise import normalise_text


def _count(counts, doc_id: str, concept_id: str) -> int:
    row = counts[(counts.doc_id == doc_id) & (counts.concept_id == concept_id)]
    return int(row["count"].iloc[0]) if len(row) else 0


@pytest.fixture(scope="module")
def counts(chengdu):
    return corpus_counts(chengdu)


@pytest.mark.parametrize("doc_id,concept_id,expected", [
    # grep -o 公园城市 000_*.txt | wc -l → 14; grep -o 新经济 → 25 (none inside 创新经济/全新经济)
    ("qingyang_2021_plan_outline", "park_city", 14),
    ("qingyang_2021_plan_outline", "new_economy", 25),
    # 002 is traditional: 新經濟 ×17 in the raw file
    ("chengdu_2020_party_proposal", "new_economy", 17),
    # 004: 公園城市 once, glossed in the raw file as 公(gōng)園(yuán)城市-style text
    ("xindu_2021_signed_article", "park_city", 1),
    # 003: 41 in the file, one in the table of contents (front matter)
    ("tianfu_2022_development_plan_draft", "park_city", 40),
])
def test_known_counts(counts, doc_id: str, concept_id: str, expected: int) -> None:
    assert _count(counts, doc_id, concept_id) == expected


def test_chengyu_circle_counts_once(chengdu) -> None:
    result = match_corpus(chengdu)
    m = result.mentions
    cid = default_lexicon().alias_index["成渝地区双城经济圈"]
    full = m[(m.alias == "成渝地区双城经济圈")]
    assert set(full.concept_id) == {cid}
    # Every 双城经济圈 inside a longer alias is rejected as nested, not counted: 18 inside
    # 成渝地区双城经济圈, one inside the Qingyang summary's 成渝双城经济圈.
    nested = result.rejected[(result.rejected.alias == "双城经济圈")]
    assert len(full) == 18
    assert nested.reason.value_counts().to_dict() == {
        f"nested in 成渝地区双城经济圈 ({cid})": 18, f"nested in 成渝双城经济圈 ({cid})": 1}
    assert not (m.alias == "双城经济圈").any()
    # Qingyang outline: 6 occurrences of 成渝地区双城经济圈, no other alias of the concept.
    counts = corpus_counts(chengdu)
    assert _count(counts, "qingyang_2021_plan_outline", cid) == 6


@pytest.fixture(scope="module")
def new_economy_matcher() -> Matcher:
    return Matcher(lexicon_from_mapping({"concepts": [
        {"id": "new_economy", "label": "新经济"},
        {"id": "chengyu", "label": "成渝地区双城经济圈"},
    ]}))


@pytest.mark.parametrize("sentence,alias,reason", [
    ("抢抓成渝地区双城经济圈建设", "成渝地区双城经济圈", None),  # pkuseg: 抢抓成渝/地区/… is its error
    ("持续壮大新经济主体", "新经济", None),
    ("推动创新经济发展", "新经济", "splits the word 创新 at its start"),
    ("加快全新经济形态", "新经济", "splits the word 全新 at its start"),
])
def test_boundary_rule_on_the_four_sentences(new_economy_matcher, sentence, alias, reason) -> None:
    [c] = new_economy_matcher.candidates_in(sentence)
    assert (c.alias, c.reason) == (alias, reason)


def test_real_sentence_with_segmentation_error(chengdu, new_economy_matcher) -> None:
    doc = chengdu["qingyang_2021_plan_outline"]
    s, e = doc.find("抢抓成渝地区双城经济圈建设")
    [c] = [c for c in new_economy_matcher.candidates_in(doc.text, s, e)]
    assert c.accepted


def test_mention_offsets_slice_raw_to_the_alias(chengdu) -> None:
    m = match_corpus(chengdu).mentions
    docs = {d.doc_id: d for d in chengdu}
    cfgs = {d.doc_id: d.config for d in chengdu}
    for row in m.itertuples():
        raw = docs[row.doc_id].raw[row.raw_start:row.raw_end]
        assert normalise_text(raw, cfgs[row.doc_id]) == row.alias, (row.doc_id, raw)
    # The Xindu article's one 公园城市 is glossed traditional text in the raw file.
    x = m[(m.doc_id == "xindu_2021_signed_article") & (m.concept_id == "park_city")]
    assert len(x) == 1
    raw = docs["xindu_2021_signed_article"].raw[x.raw_start.iloc[0]:x.raw_end.iloc[0]]
    assert raw != "公园城市" and normalise_text(raw, cfgs["xindu_2021_signed_article"]) == "公园城市"


def test_mentions_know_sentence_heading_and_zone(chengdu) -> None:
    m = match_corpus(chengdu).mentions
    doc = chengdu["chengdu_2020_party_proposal"]
    row = m[(m.doc_id == doc.doc_id) & (m.alias == "成渝地区双城经济圈")].iloc[0]
    sentence = doc.sentences[row.sentence_id]
    assert sentence.start <= row.start < sentence.end
    assert row.zone == "body"
    toc = m[(m.doc_id == "tianfu_2022_development_plan_draft") & (m.zone == "front") & (m.concept_id == "park_city")]
    assert len(toc) == 1


def test_kwic_shows_raw_text(chengdu) -> None:
    k = corpus_kwic(chengdu, "park_city", window=10)
    xindu = k[k.doc_id == "xindu_2021_signed_article"].iloc[0]
    assert xindu.keyword == "公园城市"
    assert "(" in xindu.raw_keyword or xindu.raw_keyword != xindu.keyword
    assert len(k) == 14 + 40 + 1 + int((corpus_counts(chengdu).query(
        "concept_id == 'park_city' and doc_id in ['chengdu_2020_party_proposal', 'qingyang_2021_work_report_summary']")["count"]).sum())


def test_words_keep_concepts_whole(chengdu) -> None:
    words = corpus_words(chengdu, top=None)
    assert "公园城市" in set(words.word)
    assert "的" not in set(words.word)


def test_keyness_city_vs_districts(chengdu) -> None:
    k = corpus_keyness(chengdu, "level=city")
    assert list(k.columns[:6]) == ["feature", "n_target", "n_reference", "G2", "p", "log_ratio"]
    top = k.iloc[0]
    assert top.G2 > 0 and top.p < 0.05


def test_provenance_recorded(chengdu, counts) -> None:
    prov = counts.attrs["provenance"]
    assert prov["lexicon_sha256"] == default_lexicon().sha256
    assert prov["segmenter"] == "pkuseg" and prov["plantrace_version"]
    assert prov["normaliser_config"]["remove_pinyin_glosses"] is True


def test_lexicon_edit_rescans_only_new_aliases_and_matches_a_fresh_run(monkeypatch) -> None:
    # A notebook user adds a concept: only documents where its alias occurs are resolved
    # again, and the results equal those of a corpus that never saw the first lexicon.
    import pandas as pd
    from tests.conftest import CORPORA

    import plantrace
    from plantrace.measure import matching as measure

    edited = default_lexicon()  # has greenway: 绿道, 天府绿道
    base = lexicon_from_mapping({"concepts": [
        {"id": c.id, "label": c.label, "category": c.category, "aliases": list(c.aliases), "parent": c.parent,
         # the same exclusions (new_economy's …), so that greenway is the only difference
         "exclude": {a: [e for a2, e in c.exclude if a2 == a] for a, _ in c.exclude}}
        for c in edited.concepts.values() if c.id != "greenway"]}, sha256="without-greenway")
    corpus = plantrace.load_corpus(CORPORA / "chengdu", store=False)
    corpus_counts(corpus, base)
    resolved: list[int] = []
    real = measure.resolve_candidates
    monkeypatch.setattr(measure, "resolve_candidates",
                        lambda text, raw, judge, *ex: resolved.append(len(text)) or real(text, raw, judge, *ex))
    counts = corpus_counts(corpus, edited)
    # 绿道 occurs in four of the five documents (grep -c on the normalised texts: 8, 28, 2, 6;
    # none in the work-report summary), so four are resolved again.
    assert len(resolved) == 4
    assert {d: _count(counts, d, "greenway") for d in
            ("chengdu_2020_party_proposal", "qingyang_2021_plan_outline", "xindu_2021_signed_article",
             "tianfu_2022_development_plan_draft", "qingyang_2021_work_report_summary")} == {
        # 28 in Qingyang less 非遗博览园绿道型: the boundary rule reads 绿道型 as one word
        "chengdu_2020_party_proposal": 8, "qingyang_2021_plan_outline": 27,
        "xindu_2021_signed_article": 2, "tianfu_2022_development_plan_draft": 6,
        "qingyang_2021_work_report_summary": 0}
    monkeypatch.setattr(measure, "resolve_candidates", real)
    fresh = plantrace.load_corpus(CORPORA / "chengdu", store=False)
    pd.testing.assert_frame_equal(counts, corpus_counts(fresh, edited))
    pd.testing.assert_frame_equal(match_corpus(corpus, edited).rejected, match_corpus(fresh, edited).rejected)
    # Back to the first lexicon: nothing new to scan, the earlier counts come back.
    pd.testing.assert_frame_equal(corpus_counts(corpus, base), corpus_counts(fresh, base))


def test_counts_rows_share_their_document_and_a_lexicon_that_never_matches_gives_no_rows(chengdu) -> None:
    # The count frame is built column by column (a dict per row took 0.1 GB at 1,400
    # documents): each row still carries its own document's metadata, and a lexicon with
    # no mention gives the same empty frame of named columns as before.
    counts = corpus_counts(chengdu)
    meta = {d.doc_id: d.meta for d in chengdu.docs}
    for row in counts.itertuples():
        assert (row.year, row.region, row.file) == (meta[row.doc_id]["year"], meta[row.doc_id]["region"],
                                                    meta[row.doc_id]["file"])
    none = lexicon_from_mapping({"concepts": [{"id": "absent", "label": "不存在的词汇"}]})
    empty = corpus_counts(chengdu, none)
    assert len(empty) == 0 and list(empty.columns[:8]) == ["doc_id", "concept_id", "label", "category", "count",
                                                             "count_own", "rate_per_10k", "body_chars"]
    assert set(map(str, empty.dtypes)) == {"object"}
    assert len(corpus_counts(chengdu, none, zeros=True)) == len(chengdu.docs)


def test_a_lexicon_that_never_matches_gives_empty_frames_of_named_columns(chengdu) -> None:
    # The match frames are built column by column from each document's rows; with no row
    # at all they are the empty frames of object columns they always were.
    none = lexicon_from_mapping({"concepts": [{"id": "absent", "label": "不存在的词汇"}]})
    result = match_corpus(chengdu, none)
    assert len(result.mentions) == 0 and len(result.rejected) == 0
    assert list(result.mentions.columns) == ["doc_id", "concept_id", "alias", "start", "end", "raw_start",
                                             "raw_end", "sentence_id", "heading_path", "zone", "in_heading",
                                             "contains"]
    assert list(result.rejected.columns)[-1] == "reason"
    assert set(map(str, result.mentions.dtypes)) == set(map(str, result.rejected.dtypes)) == {"object"}
