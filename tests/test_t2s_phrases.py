"""The phrase layer after OpenCC (issue 13 §4): 著/着 and the variants t2s leaves.

OpenCC's t2s never changes 著, so traditional 著力, 隨著, 意味著 came out as 著力, 随著,
意味著, where mainland text writes 着; 著名, 显著, 著作 keep 著. It does not fold the
variants 衞 汚 擧 either (衞生 stayed 衞生: 22 times in the 1954 report). The audit of
every character t2s changed in the four bundled traditional documents is
``toolkit/plantrace/data/t2s_phrases.md``; ``test_audit_counts`` re-counts it.
"""

from __future__ import annotations

import collections
import re
from pathlib import Path

import pytest

from plantrace.text.normalise import (
    PHRASES_FORMAT,
    STEPS,
    NormaliserConfig,
    _opencc,
    normalise_mapped,
    normalise_text,
    parse_phrases,
    step_edits,
    t2s_phrase_spans,
    t2s_phrases,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "toolkit" / "plantrace" / "data"
TRADITIONAL = NormaliserConfig(script="traditional")
DOCS = {
    "chengdu_2020_party_proposal": "corpora/chengdu/chengdu_2020_party_proposal.txt",
    "xindu_2021_signed_article": "corpora/chengdu/xindu_2021_signed_article.txt",
    "gwr_national_1954": "corpora/gwr-national/texts/gwr_national_1954.txt",
    "gwr_national_1957": "corpora/gwr-national/texts/gwr_national_1957.txt",
}


@pytest.fixture(scope="module")
def raw() -> dict[str, str]:
    return {d: (ROOT / f).read_text(encoding="utf-8") for d, f in DOCS.items()}


@pytest.fixture(scope="module")
def normalised(raw) -> dict[str, str]:
    return {d: normalise_text(text, TRADITIONAL) for d, text in raw.items()}


# --- the data file --------------------------------------------------------------------

def test_data_file_header_sorted_unique() -> None:
    text = (DATA / "t2s_phrases.txt").read_text(encoding="utf-8")
    header = [ln for ln in text.splitlines() if ln.startswith("#")]
    assert header[0] == f"# format: {PHRASES_FORMAT}"
    assert any(ln.startswith("# source:") for ln in header) and any(ln.startswith("# licence:") for ln in header)
    body = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    keys = [ln.split("\t")[0] for ln in body]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert all(ln.count("\t") == 1 for ln in body)
    assert len(t2s_phrases()) == len(body)


@pytest.mark.parametrize("bad, why", [
    ("著力\t着力\n", "format"),
    ("# format: plantrace-phrases/1\n著名\t著名\n著力\t着力\n", "sorted"),
    ("# format: plantrace-phrases/1\n著力\t着力\n著力\t着力\n", "duplicate"),
    ("# format: plantrace-phrases/1\n著力 着力\n", "from<TAB>to"),
])
def test_parser_rejects_bad_files(bad: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_phrases(bad)


def test_entries_are_fixed_points_of_t2s_so_a_second_round_changes_nothing() -> None:
    # Keys are what t2s leaves (else they could never match); values are what t2s keeps
    # (else the fixpoint's next round would change them back or further).
    t2s = _opencc("t2s")
    for key, value in t2s_phrases().items():
        assert t2s.convert(key) == key, key
        assert t2s.convert(value) == value, value
        assert STEPS["fix_t2s_phrases"](value) == value, value


def test_zhuo_entries_both_ways() -> None:
    table = t2s_phrases()
    changed = {k: v for k, v in table.items() if k != v}
    kept = [k for k, v in table.items() if k == v]
    # Every 著 entry either becomes 着 in exactly the 著 positions, or keeps 著.
    for k, v in changed.items():
        if "著" in k:
            assert v == k.replace("著", "着"), k
    assert all("著" in k for k in kept)
    for must in ("着力", "着眼", "着重", "着手", "着想", "随着", "意味着", "沿着", "本着", "为着", "接着",
                 "朝着", "围绕着", "按着"):
        assert table[must.replace("着", "著")] == must
    for keep in ("著名", "显著", "著作", "卓著", "土著", "著称"):
        assert table[keep] == keep


# --- the step -------------------------------------------------------------------------

@pytest.mark.parametrize("traditional, simplified", [
    # chengdu_2020_party_proposal, raw lines read by hand
    ("優形態提高人口經濟承載力為著眼點,加快建設成", "优形态提高人口经济承载力为着眼点,加快建设成"),
    ("通智能智慧水平,著力構建“軌道+公交+慢行”三網", "通智能智慧水平,着力构建“轨道+公交+慢行”三网"),
    ("體現新發展理念的城市成效顯著。", "体现新发展理念的城市成效显著。"),
    ("取得新進展,民生福祉顯著提升,", "取得新进展,民生福祉显著提升,"),
    # xindu_2021_signed_article
    ("工作“大體檢”,著力健全防控體系", "工作“大体检”,着力健全防控体系"),
    # gwr_national_1954 (raw is partly simplified already: 着 is in the raw text)
    ("幾年來，我們開展了全國規模的羣衆性的愛國衞生運動", "几年来，我们开展了全国规模的群众性的爱国卫生运动"),
    ("蔣介石賣國集團，無論訂立甚麽條約", "蒋介石卖国集团，无论订立什么条约"),
    ("中华人民共和国著作权法", "中华人民共和国著作权法"),  # its licence footer, simplified in the raw file
    # sentences of the kind the layer exists for (traditional editions of planning texts)
    ("隨著經濟發展，要著重解決、著手推進，意味著本著為著朝著沿著接著按著圍繞著",
     "随着经济发展，要着重解决、着手推进，意味着本着为着朝着沿着接着按着围绕着"),
    ("著名的歷史文化名城，成績卓著，以美食著稱，土著居民", "著名的历史文化名城，成绩卓著，以美食著称，土著居民"),
    # longest match first: the word on the left wins
    ("名著手稿，日本著名企業，成爲著名品牌，加強對著作權的保護", "名著手稿，日本著名企业，成为著名品牌，加强对著作权的保护"),
    ("這意味著作爲", "这意味着作为"),
])
def test_traditional_sentences(traditional: str, simplified: str) -> None:
    assert normalise_text(traditional, TRADITIONAL) == simplified


def test_only_converted_documents_get_the_layer() -> None:
    # A simplified document is not touched (著 there is the author's, not OpenCC's).
    assert normalise_text("著力推进，衞生", NormaliserConfig(script="simplified")) == "著力推进，衞生"
    assert "fix_t2s_phrases" not in [s.name for s in NormaliserConfig(script="simplified").steps()]
    assert "fix_t2s_phrases" not in [s.name for s in TRADITIONAL.__class__(script="traditional", to_simplified=False).steps()]
    assert normalise_text("著力", NormaliserConfig(script="traditional", fix_t2s_phrases=False)) == "著力"
    names = [s.name for s in NormaliserConfig(script="traditional-hk").steps()]
    assert names[-2:] == ["to_simplified", "fix_t2s_phrases"]


def test_offsets_and_explain() -> None:
    raw = "瓩數與著力"  # the one entry that changes length: 瓩 → 千瓦
    mapped, _, reports = normalise_mapped(raw, TRADITIONAL, explain=True)
    assert mapped.text == "千瓦数与着力"
    assert mapped.raw_span(0, 2) == (0, 1) and mapped.raw_span(4, 6) == (3, 5)
    rep = {r.step: r for r in reports}
    assert rep["fix_t2s_phrases"].changes == 2
    assert rep["fix_t2s_phrases"].examples[1][:2] == ("著力", "着力")


# --- the bundled traditional documents ------------------------------------------------

def test_every_zhu_left_in_the_traditional_documents_is_right(normalised) -> None:
    left = {d: collections.Counter(re.findall("显著|著作|著名|卓著|著称|著", t)) for d, t in normalised.items()}
    # Read in context (grep -o '.\{0,6\}著.\{0,6\}'): all are 显著 or 《…著作权法》.
    assert left == {
        "chengdu_2020_party_proposal": {"显著": 6},
        "xindu_2021_signed_article": {},
        "gwr_national_1954": {"显著": 3, "著作": 1},
        "gwr_national_1957": {"显著": 5, "著作": 1},
    }
    assert normalised["chengdu_2020_party_proposal"].count("着力") == 3
    assert "为着眼点" in normalised["chengdu_2020_party_proposal"]
    assert normalised["xindu_2021_signed_article"].count("着力") == 2


def test_what_the_layer_changes_in_the_traditional_documents(raw) -> None:
    got = {d: dict(collections.Counter(step_edits(text, "fix_t2s_phrases", TRADITIONAL))) for d, text in raw.items()}
    assert got == {
        "chengdu_2020_party_proposal": {("著力", "着力"): 3, ("为著", "为着"): 1},
        "xindu_2021_signed_article": {("著力", "着力"): 2},
        "gwr_national_1954": {("衞", "卫"): 22, ("擧", "举"): 12, ("汚", "污"): 6, ("刼", "劫"): 2, ("啣", "衔"): 1,
                              ("鶏", "鸡"): 1, ("倣", "仿"): 1, ("砲", "炮"): 1, ("甚么", "什么"): 1},
        "gwr_national_1957": {("淸", "清"): 2, ("覚", "觉"): 1, ("瓩", "千瓦"): 1},
    }


def test_no_non_mainland_character_left_in_the_traditional_documents(normalised) -> None:
    # Before the layer, 衞 汚 擧 倣 刼 砲 啣 鶏 (1954) and 淸 覚 瓩 (1957) were left here. (The
    # 1954 typo 猖鐝 for 猖獗 becomes 猖镢, inside GB2312: t2s is right, the source is not.)
    outside = {d: sorted({c for c in re.findall(r"[\u3400-\u9fff]", t) if not _in_gb2312(c)})
               for d, t in normalised.items()}
    assert outside == {d: [] for d in DOCS}


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def test_normalising_twice_equals_once_on_the_traditional_documents(normalised) -> None:
    for d, text in normalised.items():
        fixed = NormaliserConfig(script="traditional", rejoin_lines="off")
        assert normalise_text(text, fixed) == normalise_text(normalise_text(text, fixed), fixed), d


# The ambiguous kinds of issue 13 §4 (raw → t2s, count over the four documents), each
# read in context; t2s_phrases.md has the table. 0 means the character does not occur.
AUDIT = {
    "乾": 0, "幹": 4, "後": 37, "於": 90, "髮": 0, "發": 344, "裏": 6, "裡": 2, "鐘": 1, "鍾": 0, "餘": 24,
    "隻": 0, "週": 2, "準": 27, "範": 2, "藉": 4, "麼": 0, "麽": 4, "覆": 1, "複": 1, "復": 21, "係": 27,
    "臺": 29, "製": 11, "劃": 106, "鬆": 2, "沖": 1, "瀋": 2, "採": 13, "佔": 20, "鐝": 1,
}


def test_audit_counts(raw) -> None:
    changed: collections.Counter[str] = collections.Counter()
    for text in raw.values():
        for old, new in step_edits(text, "to_simplified", TRADITIONAL):
            changed.update(a for a, b in zip(old, new) if a != b)
    assert {c: changed[c] for c in AUDIT} == AUDIT
    assert len(changed) == 626 and sum(changed.values()) == 13827


def test_slices_that_do_not_cut_a_phrase_normalise_back(raw) -> None:
    # test_normalise.py's slice property, on every sentence-sized slice of the four
    # documents that starts and ends on Han and does not cut a phrase the layer wrote.
    han = re.compile(r"[\u3400-\u9fff]")
    checked = 0
    for d, text in raw.items():
        mapped, cfg, _ = normalise_mapped(text, TRADITIONAL)
        norm = mapped.text
        cuts = t2s_phrase_spans(norm)
        for start in range(0, len(norm) - 30, 97):
            end = start + 30
            if not (han.match(norm[start]) and han.match(norm[end - 1])) or "\n" in norm[start:end]:
                continue
            if any(s < start < e or s < end < e for s, e in cuts):
                continue
            s, e = mapped.raw_span(start, end)
            assert normalise_text(text[s:e], cfg) == norm[start:end], (d, start)
            checked += 1
    assert checked > 300


def test_a_slice_that_cuts_a_converted_phrase_cannot_normalise_back(raw) -> None:
    # Why the slice property needs the exception: xindu's "著力健全防控體系,著" cut before 力.
    text = raw["xindu_2021_signed_article"]
    mapped, cfg, _ = normalise_mapped(text, TRADITIONAL)
    i = mapped.text.index("着力健全防控体系,着") + len("着力健全防控体系,着")
    assert (i - 1, i + 1) in t2s_phrase_spans(mapped.text)
    s, e = mapped.raw_span(i - 10, i)
    assert normalise_text(text[s:e], cfg) == "着力健全防控体系,著"
