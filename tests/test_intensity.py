"""Tests for plantrace.intensity.

Grading is tested on real sentences from the Chengdu documents. Offsets are
taken in the whole document, as a concept finder would report them. Each
expected grade was checked by reading the clause. Most tests use a fixture
lexicon that holds the core markers, so that they do not depend on the
project lexicon, which is edited separately. One test loads the project file
when it exists.
"""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

import pytest

from plantrace.concepts.intensity import (
    Intensity,
    IntensityLexicon,
    IntensityLexiconError,
    clause_bounds,
    document_intensity,
    load_intensity,
    mention_intensity,
)

REPO = Path(__file__).resolve().parents[1]
PROJECT_LEXICON = REPO / "toolkit" / "plantrace" / "data" / "intensity.yaml"
CHENGDU = Path("/work/shared/corpora/chengdu")
QINGYANG = CHENGDU / "000_185538f95571903b.txt"  # 青羊区 14th FYP outline, simplified
CITY = CHENGDU / "002_078c5fb6598e1eee.txt"  # city proposal, traditional

needs_chengdu = pytest.mark.skipif(not QINGYANG.exists(), reason="Chengdu corpus not present")

CORE_YAML = """\
name: intensity
version: "0.0.test"
language: zh-Hans
source: "test fixture: the core markers"
license: CC0-1.0
grades: {1: explore, 2: advance, 3: accelerate, 4: guarantee}
markers:
  - {marker: 研究, grade: 1, kind: verb}
  - {marker: 探索, grade: 1, kind: verb}
  - {marker: 鼓励, grade: 1, kind: verb}
  - {marker: 引导, grade: 1, kind: verb}
  - {marker: 推动, grade: 2, kind: verb}
  - {marker: 推进, grade: 2, kind: verb}
  - {marker: 促进, grade: 2, kind: verb}
  - {marker: 支持, grade: 2, kind: verb}
  - {marker: 发展, grade: 2, kind: verb}
  - {marker: 加快, grade: 3, kind: adverb}
  - {marker: 大力, grade: 3, kind: adverb}
  - {marker: 着力, grade: 3, kind: adverb}
  - {marker: 深入, grade: 3, kind: adverb}
  - {marker: 积极, grade: 3, kind: adverb}
  - {marker: 全力, grade: 4, kind: adverb}
  - {marker: 坚决, grade: 4, kind: adverb}
  - {marker: 确保, grade: 4, kind: verb}
  - {marker: 率先, grade: 4, kind: adverb}
  - {marker: 全面, grade: 4, kind: adverb}
  - {marker: 奋力, grade: 4, kind: adverb, note: "with 奋斗 spirit"}
"""


@pytest.fixture()
def lexicon_path(tmp_path: Path) -> Path:
    path = tmp_path / "intensity.yaml"
    path.write_text(CORE_YAML, encoding="utf-8")
    return path


@pytest.fixture()
def lex(lexicon_path: Path) -> IntensityLexicon:
    return load_intensity(lexicon_path)


@pytest.fixture(scope="module")
def qingyang() -> str:
    return QINGYANG.read_text(encoding="utf-8")


def _grade(text: str, context: str, mention: str, lexicon: IntensityLexicon, nth: int = 0) -> Intensity | None:
    """Grade the nth ``mention`` inside the (unique) ``context`` of ``text``."""
    assert text.count(context) == 1, f"context not unique in the document: {context}"
    base = text.index(context)
    starts = [m.start() for m in re.finditer(re.escape(mention), context)]
    start = base + starts[nth]
    return mention_intensity(text, start, start + len(mention), lexicon)


# --- loading ---------------------------------------------------------------


def test_load_fixture(lexicon_path: Path, lex: IntensityLexicon):
    assert lex.name == "intensity" and lex.version == "0.0.test" and lex.language == "zh-Hans"
    assert len(lex.markers) == 20
    assert lex.grade("全力") == 4 and lex.grade("推动") == 2 and lex.grade("加快") == 3 and lex.grade("研究") == 1
    assert lex.grade("高质量") is None
    assert lex.grades[4] == "guarantee"
    assert lex.sha256 == hashlib.sha256(lexicon_path.read_bytes()).hexdigest()
    assert lex.path == lexicon_path
    assert next(m for m in lex.markers if m.marker == "奋力").note == "with 奋斗 spirit"


@pytest.mark.parametrize(
    "replacement,message",
    [
        ("  - {marker: 推动, grade: 3, kind: verb}\n", "duplicate marker"),
        ("  - {marker: 务必, grade: 5, kind: verb}\n", "'grade' must be an integer 1-4"),
        ("  - {marker: 务必, grade: '4', kind: verb}\n", "'grade' must be an integer 1-4"),
        ("  - {marker: 务必, grade: true, kind: verb}\n", "'grade' must be an integer 1-4"),
        ("  - {marker: ' 务必', grade: 4}\n", "'marker' must be a non-empty string"),
        ("  - {grade: 4}\n", "'marker' must be a non-empty string"),
        ("  - {marker: 务必, grade: 4, note: [a]}\n", "'note' must be a string"),
    ],
)
def test_load_errors_name_file_and_marker(tmp_path: Path, replacement: str, message: str):
    path = tmp_path / "bad.yaml"
    path.write_text(CORE_YAML + replacement, encoding="utf-8")
    with pytest.raises(IntensityLexiconError) as info:
        load_intensity(path)
    text = str(info.value)
    assert message in text
    assert str(path) in text and "markers[20]" in text


@pytest.mark.parametrize(
    "content,message",
    [
        ("- just a list\n", "mapping at the top level"),
        ("name: x\n", "'markers' must be a non-empty list"),
        ("markers: [{marker: 推动, grade: 2}]\ngrades: {5: x}\n", "'grades'"),
        ("markers: [{marker: 推动, grade: 2}]\nexclude: 研究所\n", "'exclude'"),
        ("markers: [{marker: 推动, grade: 2\n", "cannot parse"),
    ],
)
def test_load_structural_errors(tmp_path: Path, content: str, message: str):
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(IntensityLexiconError, match=re.escape(message)) as info:
        load_intensity(path)
    assert str(path) in str(info.value)


@pytest.mark.skipif(not PROJECT_LEXICON.exists(), reason="data/intensity.yaml not written yet")
def test_project_lexicon_loads_and_grades_the_core_markers():
    lex = load_intensity(PROJECT_LEXICON)
    assert lex.sha256 == hashlib.sha256(PROJECT_LEXICON.read_bytes()).hexdigest()
    core = {
        1: ["研究", "探索", "鼓励", "引导"],
        2: ["推动", "推进", "促进", "支持", "发展"],
        3: ["加快", "大力", "着力", "深入", "积极"],
        4: ["全力", "坚决", "确保", "率先", "全面", "奋力"],
    }
    for grade, words in core.items():
        for word in words:
            assert lex.grade(word) == grade, word
    s = "积极融入区域协同发展格局,全力建设“三城三都”"
    assert mention_intensity(s, s.index("三城三都"), s.index("三城三都") + 4, lex).grade == 4


# --- clause bounds ---------------------------------------------------------


def test_clause_bounds_ascii_and_fullwidth_delimiters():
    s = "激发劳动者积极性、主动性,大力发展民营经济；确保居民收入增长：同步\n下一行"
    i = s.index("民营经济")
    assert s[slice(*clause_bounds(s, i, i + 4))] == "大力发展民营经济"
    i = s.index("主动性")  # 、 joins objects, it does not end the clause
    assert s[slice(*clause_bounds(s, i, i + 3))] == "激发劳动者积极性、主动性"
    i = s.index("居民收入")
    assert s[slice(*clause_bounds(s, i, i + 4))] == "确保居民收入增长"
    i = s.index("下一行")
    assert s[slice(*clause_bounds(s, i, i + 3))] == "下一行"
    assert clause_bounds(s, 0, 0) == (0, s.index(","))


def test_clause_bounds_span_with_delimiter_and_errors():
    s = "甲,乙丙,丁"
    # The span "乙丙," ends past a comma, so the clause runs to the next one.
    assert clause_bounds(s, 2, 5) == (2, 6)
    with pytest.raises(ValueError):
        clause_bounds(s, 3, 2)
    with pytest.raises(ValueError):
        clause_bounds(s, 0, 99)


# --- grading real sentences ------------------------------------------------


@needs_chengdu
def test_marker_inside_mention_is_ignored(qingyang: str, lex: IntensityLexicon):
    context = "在践行“新发展理念”中推进青羊跨越,全方位推动高质量发展"
    got = _grade(qingyang, context, "高质量发展", lex)
    assert got is not None and (got.grade, got.marker) == (2, "推动")
    assert qingyang[got.marker_start : got.marker_end] == "推动"
    # When the mention itself covers both markers, nothing is left to grade it.
    assert _grade(qingyang, context, "推动高质量发展", lex) is None


@needs_chengdu
def test_each_clause_of_a_long_sentence_has_its_own_grade(qingyang: str, lex: IntensityLexicon):
    context = (
        "u居民收入水平提升工程:以富民增收为导向,坚持体现效率、促进公平,激发劳动者积极性、主动性、创造性,"
        "推动产业结构向产业链高端和价值链前沿延伸,鼓励大众创业万众创新,大力发展民营经济,"
    )
    g = lambda mention, nth=0: _grade(qingyang, context, mention, lex, nth)  # noqa: E731
    assert (g("大众创业万众创新").grade, g("大众创业万众创新").marker) == (1, "鼓励")
    assert (g("民营经济").grade, g("民营经济").marker) == (3, "大力")  # 大力 beats 发展
    assert (g("产业结构").grade, g("产业结构").marker) == (2, "推动")
    assert g("居民收入") is None  # the heading clause ends at ":"
    # 积极性 contains the marker 积极, which is a false hit in this clause; it also
    # follows 劳动者, so it cannot govern it: the clause grades nothing.
    assert g("劳动者") is None
    later = "促进收入分配更加合理有序,确保居民收入增长与经济增长保持同步"
    got = _grade(qingyang, later, "居民收入", lex)
    assert (got.grade, got.marker) == (4, "确保")


@needs_chengdu
def test_enumeration_comma_stays_in_clause(qingyang: str, lex: IntensityLexicon):
    got = _grade(qingyang, "大力发展总部型、创新型、技术型、民生型都市工业", "都市工业", lex)
    assert (got.grade, got.marker) == (3, "大力")
    got = _grade(qingyang, "扎实推进新经济新业态从业人员、灵活就业人员参保工作", "灵活就业人员", lex)
    assert (got.grade, got.marker) == (2, "推进")


@needs_chengdu
def test_ties_prefer_nearest_marker_before(qingyang: str, lex: IntensityLexicon):
    context = "全面排查和坚决治理危险化学品、消防、交通运输"
    got = _grade(qingyang, context, "危险化学品", lex)
    assert (got.grade, got.marker) == (4, "坚决")  # 全面 is also 4, but further away
    # The same concept later in the sentence, in a clause without a marker.
    assert _grade(qingyang, "到2025年,危险化学品生产储存运输安全风险监测监控率达到95%", "危险化学品", lex) is None


@needs_chengdu
def test_marker_after_the_mention_is_an_outcome_not_a_commitment(qingyang: str, lex: IntensityLexicon):
    # 区域经济布局加快构建 reports how the layout is being built: 加快 after the concept does
    # not govern it. Before it stands only the 发展 of 高质量发展 (2).
    context = "优势互补高质量发展的区域经济布局加快构建"
    got = _grade(qingyang, context, "区域经济布局", lex)
    assert (got.grade, got.marker) == (2, "发展")
    # ... and that 发展 belongs to another concept's wording: with the document's concept
    # mentions blocked (as corpus_intensity passes them) nothing governs the mention.
    at = qingyang.index(context)
    start = at + context.index("区域经济布局")
    hqd = at + context.index("高质量发展")
    assert mention_intensity(qingyang, start, start + 6, lex, blocked=[(hqd, hqd + 5)]) is None


@needs_chengdu
def test_longest_marker_and_exclusions(qingyang: str, lexicon_path: Path):
    extra = "  - {marker: 加快推进, grade: 3, kind: verb}\nexclude: [更大力度, 研究所]\n"
    lexicon_path.write_text(CORE_YAML + extra, encoding="utf-8")
    lex = load_intensity(lexicon_path)
    got = _grade(qingyang, "积极融入区域协同发展格局,加快推进发展空间多向拓展", "发展空间", lex)
    assert (got.marker, got.marker_end - got.marker_start) == ("加快推进", 4)
    # 更大力度 contains 大力 but is not the adverb 大力.
    context = "用更大力度的改革举措激发内生动力"
    assert _grade(qingyang, context, "改革举措", lex) is None
    plain = IntensityLexicon.from_mapping({"markers": [{"marker": "大力", "grade": 3}]})
    assert _grade(qingyang, context, "改革举措", plain).marker == "大力"


@needs_chengdu
def test_traditional_document_after_t2s(lex: IntensityLexicon):
    opencc = pytest.importorskip("opencc")
    raw = CITY.read_text(encoding="utf-8")
    assert "堅決貫徹總體國家安全觀" in raw
    text = opencc.OpenCC("t2s").convert(raw)
    got = _grade(text, "坚决贯彻总体国家安全观", "总体国家安全观", lex)
    assert (got.grade, got.marker) == (4, "坚决")
    # Unconverted text has no simplified markers to find.
    assert _grade(raw, "堅決貫徹總體國家安全觀", "總體國家安全觀", lex) is None


@needs_chengdu
def test_thousands_of_mentions_are_fast(qingyang: str, lex: IntensityLexicon):
    concepts = re.compile("产业|城市|服务|创新|文化|社区|企业|经济|体系|机制|公园|功能区")
    spans = [(m.start(), m.end()) for m in concepts.finditer(qingyang)]
    assert len(spans) > 1000  # 1,437 when written
    t0 = time.perf_counter()
    grades = [g.grade if (g := mention_intensity(qingyang, s, e, lex)) else None for s, e in spans]
    elapsed = time.perf_counter() - t0
    assert elapsed < 1.0, f"{len(spans)} mentions took {elapsed:.2f}s"
    top, mean = document_intensity(grades)
    assert top == 4 and 2 < mean < 4


# --- document_intensity ----------------------------------------------------


def test_document_intensity():
    assert document_intensity([2, None, 4, 3]) == (4, 3.0)
    assert document_intensity(iter([1])) == (1, 1.0)
    assert document_intensity([]) == (None, None)
    assert document_intensity([None, float("nan")]) == (None, None)
