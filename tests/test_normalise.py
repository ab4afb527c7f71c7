"""Normalisation steps: golden cases, the real documents' noise, and properties."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plantrace.text.normalise import (
    STEPS,
    NormaliserConfig,
    normalise_mapped,
    normalise_text,
    step_edits,
    t2s_phrase_spans,
)

GOLDEN = json.loads((Path(__file__).parent / "golden" / "normalise_cases.json").read_text(encoding="utf-8"))
TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
GLOSS = re.compile(rf"[(（][a-z{TONED}]+[)）]")


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: f"{c['step']}:{c['input'][:8]}")
def test_golden_case(case: dict[str, str]) -> None:
    assert STEPS[case["step"]](case["input"]) == case["output"]


def test_registry_and_config_share_step_names() -> None:
    fields = set(NormaliserConfig.__dataclass_fields__) - {"script"}
    assert fields == set(STEPS)


def test_xindu_glosses_all_removed_and_counted(chengdu) -> None:
    doc = chengdu["xindu_2021_signed_article"]
    assert not GLOSS.search(doc.text)
    report = {r.step: r for r in doc.explanation}
    # 532 bracketed syllables in the raw file (grep -o '([^()]\{1,8\})' counts 532,
    # every one a toned pinyin syllable, one of them after a Latin I: 力促I(mǎi)BM).
    assert report["remove_pinyin_glosses"].changes == 532
    assert doc.config.script == "traditional"
    assert "构建区域协同枢纽" in doc.text and "構建" not in doc.text


def test_no_real_parenthetical_is_removed(all_corpora) -> None:
    removed: dict[str, list[str]] = {}
    for corpus in all_corpora:
        for doc in corpus:
            edits = step_edits(doc.raw, "remove_pinyin_glosses", NormaliserConfig(script=doc.config.script))
            if edits:
                removed[doc.doc_id] = [old for old, _ in edits]
    # Only the Xindu article has glosses, and everything removed is a toned syllable.
    assert list(removed) == ["xindu_2021_signed_article"]
    assert all(re.fullmatch(rf"\([a-z{TONED}]+\)", g) and re.search(f"[{TONED}]", g)
               for g in removed["xindu_2021_signed_article"])
    qingyang = all_corpora[0]["qingyang_2021_plan_outline"].text
    assert "(2021—2025年)" in qingyang
    assert "(征求意见稿)" in all_corpora[0]["tianfu_2022_development_plan_draft"].text


def test_city_proposal_simplified(chengdu) -> None:
    doc = chengdu["chengdu_2020_party_proposal"]
    assert doc.config.script == "traditional"
    assert "国民经济和社会发展第十四个五年规划" in doc.text
    assert "規劃" not in doc.text


def test_national_1954_simplified_and_1957_detected(national) -> None:
    d1954 = national["gwr_national_1954"]
    assert d1954.config.script == "traditional"
    assert "我们第一届全国人民代表大会第一次会议" in d1954.text
    assert national["gwr_national_1957"].config.script == "traditional"
    assert national["gwr_national_2025"].config.script == "simplified"


def test_fullwidth_and_spaced_digits_in_national(national) -> None:
    d1998 = national["gwr_national_1998"].text
    # Raw: "本届政府从1 9 9 3 年3 月就职" and "增长8 ．8 ％".
    assert "本届政府从1993年3月就职" in d1998
    assert "１" not in d1998 and "％" not in d1998


def test_2017_link_breaks_rejoined_into_one_sentence(national) -> None:
    doc = national["gwr_national_2017"]
    assert doc.config.rejoin_lines == "on"
    start = doc.text.index("党的十八届六中全会正式明确习近平总书记的核心地位")
    sentence = doc.sentence_at(start)
    assert sentence is not None
    assert sentence.text.startswith("党的十八届六中全会正式明确习近平总书记的核心地位，体现了党和人民的根本利益")
    assert sentence.text.endswith("具有十分重大而深远的意义。")


def test_one_paragraph_per_line_documents_are_not_rejoined(chengdu, provincial) -> None:
    assert {d.config.rejoin_lines for d in provincial} == {"off"}
    assert chengdu["qingyang_2021_work_report_summary"].config.rejoin_lines == "off"
    assert "推动学习型政府建设\n提升应对把握复杂形势的能力" in chengdu["qingyang_2021_work_report_summary"].text


# --- properties --------------------------------------------------------------------

# Pieces of the noise the corpora carry, glued in random order.
NOISY = st.lists(
    st.sampled_from(list("公园城市国發展的。，、；：“”《》（）()\n \u3000\u200b１２３456７８９０％%abcTODguóhuì*·u")
                    + ["(guó)", "(TOD)", "\n\n", "1 9 9 3", "**", "《\n", "\n》"]),
    max_size=60,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(NOISY)
def test_normalising_twice_equals_once(text: str) -> None:
    cfg = NormaliserConfig(script="traditional", rejoin_lines="off")
    once = normalise_text(text, cfg)
    assert normalise_text(once, cfg) == once


@settings(max_examples=300, deadline=None)
@given(NOISY)
def test_offsets_are_valid(text: str) -> None:
    mapped, _, _ = normalise_mapped(text, NormaliserConfig(script="traditional"))
    assert len(mapped.starts) == len(mapped.text)
    assert all(0 <= s <= e <= len(text) for s, e in zip(mapped.starts, mapped.ends))
    assert list(mapped.starts) == sorted(mapped.starts)


HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("doc_id", ["xindu_2021_signed_article", "tianfu_2022_development_plan_draft",
                                    "chengdu_2020_party_proposal"])
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_raw_span_normalises_back(chengdu, doc_id: str, data: st.DataObject) -> None:
    doc = chengdu[doc_id]
    text = doc.text
    # Spans that start and end on Han characters: what a concept mention or a quoted
    # sentence is. Normalising the raw slice with the document's resolved config
    # gives back exactly the normalised span.
    start = data.draw(st.integers(0, len(text) - 2))
    length = data.draw(st.integers(1, 60))
    end = min(len(text), start + length)
    while start < end and not HAN.match(text[start]):
        start += 1
    while end > start and not HAN.match(text[end - 1]):
        end -= 1
    if start >= end or "\n" in text[start:end]:
        return
    # fix_t2s_phrases decides from context: a slice that cuts 着力 re-normalises to 著.
    if any(s < start < e or s < end < e for s, e in t2s_phrase_spans(text)):
        return
    assert normalise_text(doc.raw_span(start, end), doc.config) == text[start:end]


@pytest.mark.parametrize("doc_id", ["xindu_2021_signed_article", "chengdu_2020_party_proposal"])
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_raw_spans_of_many_spans_equal_raw_span_of_each(chengdu, doc_id: str, data: st.DataObject) -> None:
    # Mention rows take their raw offsets from the batched lookup; every span, empty ones
    # and the text's end included, must map exactly as the one-span lookup does.
    mapped = chengdu[doc_id].mapped
    n = len(mapped.text)
    spans = data.draw(st.lists(st.tuples(st.integers(0, n), st.integers(0, 40)), min_size=1, max_size=30))
    spans = [(a, min(n, a + k)) for a, k in spans]
    assert mapped.raw_spans([a for a, _ in spans], [b for _, b in spans]) == [mapped.raw_span(a, b) for a, b in spans]
    nonempty = [(a, b) for a, b in spans if b > a]
    assert mapped.raw_spans([a for a, _ in nonempty], [b for _, b in nonempty]) == \
        [mapped.raw_span(a, b) for a, b in nonempty]
    with pytest.raises(IndexError):
        mapped.raw_spans([0], [n + 1])


def test_raw_span_cites_the_original(chengdu) -> None:
    doc = chengdu["tianfu_2022_development_plan_draft"]
    starts = [m.start() for m in re.finditer("公园城市", doc.text)]
    raw_forms = {doc.raw_span(s, s + 4) for s in starts}
    assert raw_forms == {"公园城市", "公 园城市", "公园 城市", "公园城 市"}
