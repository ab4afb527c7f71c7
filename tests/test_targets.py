"""Tests for plantrace.targets.

Real-text tests copy sentences verbatim from the 2025 provincial reports and
the national reports (each literal is checked to occur in its corpus file when
the corpus is present) and assert values confirmed by reading the 主要预期目标
paragraphs.  The 31-province table is rebuilt from the files with a small
local splitter and skipped when the corpus is absent.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from plantrace.compare.targets import (
    COMPARISON_COLUMNS,
    TARGET_COLUMNS,
    IndicatorLexicon,
    IndicatorLexiconError,
    Target,
    compare_targets,
    extract_targets,
    load_indicators,
    qualifier_strength,
    targets_frame,
)

CORPORA = Path("/work/shared/corpora")
PROVINCIAL = CORPORA / "gwr-provincial-2025/texts"
NATIONAL = CORPORA / "gwr-national/texts"
REPO_LEXICON = Path(__file__).resolve().parents[1] / "toolkit/plantrace/data/indicators.yaml"

needs_provincial = pytest.mark.skipif(
    not PROVINCIAL.is_dir(), reason="provincial 2025 corpus not present"
)

FIXTURE_YAML = """\
name: indicators
version: "1.0.0"
language: zh-Hans
source: "test fixture"
license: CC0-1.0
indicators:
  - id: gdp_growth
    label: 地区生产总值增长
    unit: "%"
    better: higher
    surface_forms: [地区生产总值增长, 生产总值增长, 全市生产总值增长, 国内生产总值增长, 经济增长, GDP增长]
  - id: unemployment_rate
    label: 城镇调查失业率
    unit: "%"
    better: lower
    surface_forms: [城镇调查失业率]
  - id: cpi_growth
    label: 居民消费价格涨幅
    unit: "%"
    better: none
    surface_forms: [居民消费价格涨幅, 居民消费价格指数涨幅, 居民消费价格总水平涨幅]
"""


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """Stand-in for the pipeline's sentence dataclass (same attributes)."""

    id: int
    start: int
    end: int
    text: str
    heading_path: tuple[str, ...]
    zone: str
    paragraph_id: int | None


_WIDE = {0xFF05: "%", 0xFF0E: "."}
_WIDE.update({c: chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)})  # ０-９
_WIDE.update({c: chr(c - 0xFEE0) for c in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_WIDE.update({c: chr(c - 0xFEE0) for c in range(0xFF41, 0xFF5B)})  # ａ-ｚ


def fold(text: str) -> str:
    """Pipeline-like folding: full-width digits, letters and ％ become ASCII,
    Chinese punctuation (，；：、。) is kept."""
    return text.translate(_WIDE).replace("\u200b", "")


def nfkc(text: str) -> str:
    """Full NFKC (also folds ，；： to ASCII) -- the extractor must cope with both."""
    return unicodedata.normalize("NFKC", text).replace("\u200b", "")


_SPLIT = re.compile(r"[^。！？；]*[。！？；]?")


def build(
    paragraphs: list[tuple[tuple[str, ...], str]], *, paragraph_ids: bool = True
) -> tuple[str, list[Sent]]:
    """Document text and sentences from (heading_path, paragraph) pairs;
    sentences end at 。！？； and keep their terminator, as in the pipeline."""
    doc = ""
    sents: list[Sent] = []
    for pid, (heads, para) in enumerate(paragraphs):
        if doc:
            doc += "\n"
        base = len(doc)
        doc += para
        for m in _SPLIT.finditer(para):
            if m.group(0).strip():
                sents.append(Sent(len(sents), base + m.start(), base + m.end(), m.group(0),
                                  heads, "body", pid if paragraph_ids else None))
    return doc, sents


def split_file(text: str) -> list[Sent]:
    """Local splitter for whole files: lines shorter than 30 characters without
    final punctuation are headings ((一)… nests under the last top heading)."""
    sents: list[Sent] = []
    heads: list[str] = []
    pos = 0
    for pid, line in enumerate(text.split("\n")):
        line_start = pos
        pos += len(line) + 1
        s = line.strip()
        if not s:
            continue
        if len(s) < 30 and not re.search(r"[。！？；：:，,!?;]$", s):
            heads = heads[:1] + [s] if re.match(r"^[（(][一二三四五六七八九十]+[)）]", s) else [s]
            continue
        for m in _SPLIT.finditer(line):
            if m.group(0).strip():
                sents.append(Sent(len(sents), line_start + m.start(), line_start + m.end(),
                                  m.group(0), tuple(heads), "body", pid))
    return sents


@pytest.fixture(scope="module")
def lex(tmp_path_factory: pytest.TempPathFactory) -> IndicatorLexicon:
    path = tmp_path_factory.mktemp("lex") / "indicators.yaml"
    path.write_text(FIXTURE_YAML, encoding="utf-8")
    return load_indicators(path)


def run(paragraphs, lex, year, **kw) -> tuple[str, list[Target]]:
    doc, sents = build(paragraphs, **kw)
    found = extract_targets(sents, year=year, indicators=lex)
    for t in found:  # offsets are document offsets of the figure expression
        assert doc[t.start : t.end] == t.text
    return doc, found


def pick(found: list[Target], indicator_id: str = "gdp_growth", **attrs) -> list[Target]:
    return [t for t in found if t.indicator_id == indicator_id
            and all(getattr(t, k) == v for k, v in attrs.items())]


def in_corpus(path: Path, *literals: str) -> None:
    """Each literal copied into this file really occurs in the corpus file."""
    if path.exists():
        text = path.read_text(encoding="utf-8")
        for lit in literals:
            assert lit in text, f"{lit[:30]}… not in {path.name}"


# ---------------------------------------------------------------------------
# sentences copied from the reports (raw file text; folded before use)
# ---------------------------------------------------------------------------

SICHUAN = PROVINCIAL / "gwr_2025_sichuan.txt"
SICHUAN_L9 = "全省地区生产总值增长5.7%，高于全国0.7个百分点，经济总量达到64697亿元，保持全国第5位。"
SICHUAN_L33 = (
    "今年发展主要预期目标是：地区生产总值增长5.5%以上；城镇新增就业85万人，城镇调查失业率5.5%左右；"
    "居民消费价格涨幅2%左右；地方一般公共预算收入增长2%，居民收入增长和经济增长基本同步；"
    "粮食产量725亿斤以上；完成国家下达的节能减排和环境保护等任务。"
)

NAT25 = NATIONAL / "gwr_national_2025.txt"
NAT25_L12 = (
    "主要表现在，经济规模稳步扩大，国内生产总值达到134.9万亿元、增长5%，增速居世界主要经济体前列，"
    "对全球经济增长的贡献率保持在30%左右。"
)
NAT25_L47 = (
    "今年发展主要预期目标是：国内生产总值增长5%左右；城镇调查失业率5.5%左右，城镇新增就业1200万人以上；"
    "居民消费价格涨幅2%左右；居民收入增长和经济增长同步；国际收支保持基本平衡；粮食产量1.4万亿斤左右；"
    "单位国内生产总值能耗降低3%左右，生态环境质量持续改善。"
)
NAT25_L49 = (
    "经济增长预期目标为5%左右，既是稳就业、防风险、惠民生的需要，也有经济增长潜力和有利条件支撑，"
    "并与中长期发展目标相衔接，突出迎难而上、奋发有为的鲜明导向。"
)

QINGHAI = PROVINCIAL / "gwr_2025_qinghai.txt"
QINGHAI_L21 = (
    "全省经济社会发展的主要预期目标是：地区生产总值增长4.5%左右，力争更好结果；城镇新增就业6万人以上，"
    "农牧区劳动力转移就业106万人次以上，城镇调查失业率5.5%左右；居民消费价格涨幅2%左右；"
    "居民收入增长与经济增长同步；粮食总产量保持在110万吨以上；长江、黄河干流、澜沧江出省境断面水质稳定保持在"
    "Ⅱ类及以上，空气质量优良天数比例96.3%以上；全面完成“十四五”期间能耗强度下降和主要污染物总量减排目标。"
)

HUBEI = PROVINCIAL / "gwr_2025_hubei.txt"
HUBEI_REVIEW = (  # full-width ％ as in the file
    "地区生产总值增长5.8％、增速全国第3，总量达到60013亿元；规上工业增加值增长7.7％，固定资产投资增长6.5％，"
    "社会消费品零售总额增长5.1％，均高于全国。"
)
HUBEI_L27 = (
    "经济社会发展的主要预期目标是：经济增长6％左右；城镇调查失业率5.5％左右，城镇新增就业70万人以上；"
    "居民消费价格涨幅2％左右；居民收入增长与经济增长同步；粮食产量继续保持500亿斤以上；"
    "单位地区生产总值能耗完成“十四五”国家考核目标。"
)

NAT05 = NATIONAL / "gwr_national_2005.txt"
NAT05_L123 = (
    "综合考虑国内外各种因素，今年经济社会发展主要预期目标是：国内生产总值增长8%左右；城镇新增就业900万人，"
    "城镇登记失业率控制在4.6%；居民消费价格总水平涨幅控制在4%；国际收支保持基本平衡。"
)
NAT05_L125 = (
    "中央提出今年经济增长预期目标为8%左右，是为了使预期目标符合实际情况，既考虑需要，也考虑可能，"
    "兼顾了就业、物价等其他预期目标的要求。"
)
NAT04 = NATIONAL / "gwr_national_2004.txt"
NAT04_L144 = (
    "中央提出今年经济增长预期目标为7%左右，既考虑了保持宏观调控目标的连续性，也考虑了经济增长速度与能源、"
    "重要原材料、交通运输等实际条件的衔接，减轻对资源和环境的压力。"
)

FUJIAN = PROVINCIAL / "gwr_2025_fujian.txt"
FUJIAN_REVIEW = (
    "\u3000\u3000初步统计，2024年全省地区生产总值57761亿元、增长5.5%，一般公共预算总收入5955.6亿元、增长0.8%，"
    "地方一般公共预算收入3614.6亿元、增长0.6%，固定资产投资增长3.9%，社会消费品零售总额增长4.4%，出口增长5.3%，"
    "城镇居民、农村居民人均可支配收入分别增长4.6%、6.7%，城镇调查失业率4.7%，居民消费价格下降0.1%。"
)
FUJIAN_PLAN = (
    "\u3000\u3000今年经济社会发展的主要预期目标是：全省地区生产总值增长5.0%—5.5%，根据实际情况争取更好的结果，"
    "固定资产投资增长5%左右，社会消费品零售总额增长5.5%左右，出口增长3%左右，城镇调查失业率5%左右，"
    "居民消费价格涨幅2%左右，居民收入增长与经济增长保持同步，粮食产量511万吨以上，单位地区生产总值能耗保持下降。"
)

XIZANG = PROVINCIAL / "gwr_2025_xizang.txt"
XIZANG_PLAN = (
    "经济社会发展主要预期目标是：地区生产总值增长7%以上、力争达到8%，全社会固定资产投资增长15%以上、力争达到20%，"
    "社会消费品零售总额增长8%以上、力争达到10%，规上工业增加值增长16%，城乡居民人均可支配收入分别增长8%和10%，"
    "城镇调查失业率、居民消费价格涨幅分别控制在5%和3%以内。"
)

TIANJIN = PROVINCIAL / "gwr_2025_tianjin.txt"
TIANJIN_FORECAST = (
    "全市地区生产总值预计增长5.1％左右，一般公共预算收入增长5.2％，城镇调查失业率5.2％，"
    "居民人均可支配收入增长与经济增长基本同步。"
)
BEIJING = PROVINCIAL / "gwr_2025_beijing.txt"
BEIJING_FORECAST = (
    "预计全市地区生产总值增长5.2%左右，一般公共预算收入增长3.1%，城镇调查失业率4.1%左右，"
    "居民人均可支配收入增长4.5%左右，居民消费价格涨幅0.1%，人均地区生产总值和万元地区生产总值能耗、水耗、"
    "碳排放等多项指标保持全国省级地区最优水平。"
)
BEIJING_PLAN = (
    "\u3000\u3000今年经济社会发展主要预期目标是：地区生产总值增长5%左右、努力争取更好结果，一般公共预算收入增长4%左右，"
    "城镇调查失业率控制在5%以内，居民消费价格涨幅2%左右，居民收入增长与经济增长同步，生态环境质量、能源、"
    "水资源等指标达到国家要求。"
)
NINGXIA = PROVINCIAL / "gwr_2025_ningxia.txt"
NINGXIA_REVIEW = "全年实现地区生产总值5503亿元、增长5.4%，连续10个季度超过全国平均水平。"
XINJIANG = PROVINCIAL / "gwr_2025_xinjiang.txt"
XINJIANG_REVIEW_HEAD = "全疆地区生产总值同比增长6.1%、突破2万亿元大关，规模以上工业增加值增长8%，固定资产投资增长6.9%，"
HAINAN = PROVINCIAL / "gwr_2025_hainan.txt"
HAINAN_OCEAN = (
    "向海图强，深海科技创新公共平台试运行，一批重大深海装备落地，我国首艘自主研制的深远海多功能科考船“探索三号”"
    "入列，全国首个深水高压气田投产，区域海洋创新指数位居全国第一梯次，海洋生产总值增长10.4%。"
)
GUANGXI = PROVINCIAL / "gwr_2025_guangxi.txt"
GUANGXI_CONTRIB = "规模以上工业增加值增长7.5%，工业对GDP增长贡献率45%，新产业新产品对工业增长贡献率超50%。"
GUANGDONG = PROVINCIAL / "gwr_2025_guangdong.txt"
GUANGDONG_PLAN_HEAD = (
    "\u3000\u3000根据省委十三届六次全会暨省委经济工作会议部署，今年经济社会发展的主要预期目标是：地区生产总值增长5%左右；"
)
SHANGHAI = PROVINCIAL / "gwr_2025_shanghai.txt"
SHANGHAI_PLAN_HEAD = (
    "\u2003\u2003综合各方面因素，建议今年全市经济社会发展的主要预期目标是：全市生产总值增长5%左右，"
    "地方一般公共预算收入增长2%，全社会研发经费支出相当于全市生产总值的比例达到4.5%左右，城镇调查失业率5%以内，"
)
JIANGSU = PROVINCIAL / "gwr_2025_jiangsu.txt"
JIANGSU_PLAN_HEAD = "今年经济社会发展主要预期目标是：地区生产总值增长5%以上，城镇新增就业120万人以上，"


def test_literals_are_in_the_corpus() -> None:
    in_corpus(SICHUAN, SICHUAN_L9, SICHUAN_L33)
    in_corpus(NAT25, NAT25_L12, NAT25_L47, NAT25_L49)
    in_corpus(QINGHAI, QINGHAI_L21)
    in_corpus(HUBEI, HUBEI_REVIEW, HUBEI_L27)
    in_corpus(NAT05, NAT05_L123, NAT05_L125)
    in_corpus(NAT04, NAT04_L144)
    in_corpus(FUJIAN, FUJIAN_REVIEW, FUJIAN_PLAN)
    in_corpus(XIZANG, XIZANG_PLAN)
    in_corpus(TIANJIN, TIANJIN_FORECAST)
    in_corpus(BEIJING, BEIJING_FORECAST, BEIJING_PLAN)
    in_corpus(NINGXIA, NINGXIA_REVIEW)
    in_corpus(XINJIANG, XINJIANG_REVIEW_HEAD)
    in_corpus(HAINAN, HAINAN_OCEAN)
    in_corpus(GUANGXI, GUANGXI_CONTRIB)
    in_corpus(GUANGDONG, GUANGDONG_PLAN_HEAD)
    in_corpus(SHANGHAI, SHANGHAI_PLAN_HEAD)
    in_corpus(JIANGSU, JIANGSU_PLAN_HEAD)


# ---------------------------------------------------------------------------
# load_indicators
# ---------------------------------------------------------------------------


def test_load_indicators_reads_fixture_and_hashes_bytes(tmp_path: Path) -> None:
    path = tmp_path / "indicators.yaml"
    path.write_text(FIXTURE_YAML, encoding="utf-8")
    lex = load_indicators(path)
    assert lex.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert lex.name == "indicators" and lex.version == "1.0.0"
    assert [i.id for i in lex] == ["gdp_growth", "unemployment_rate", "cpi_growth"]
    assert lex.better == {"gdp_growth": "higher", "unemployment_rate": "lower", "cpi_growth": "none"}
    gdp = lex.get("gdp_growth")
    assert gdp is not None and gdp.unit == "%"
    assert gdp.surface_forms[0] == "地区生产总值增长"  # longest first
    assert lex.get("nope") is None


@pytest.mark.parametrize(
    "content, problem",
    [
        ("indicators: [\n  - id: x\n", "invalid YAML"),
        ("- just a list\n", "top level must be a mapping"),
        ("name: x\n", "'indicators' must be a non-empty list"),
        ("indicators:\n  - label: 无id\n", "'id' must be a non-empty string"),
        ("indicators:\n  - {id: a, surface_forms: [甲]}\n  - {id: a, surface_forms: [乙]}\n", "duplicate id"),
        ("indicators:\n  - {id: a, better: up, surface_forms: [甲]}\n", "'better' must be one of"),
        ("indicators:\n  - {id: a, surface_forms: []}\n", "'surface_forms' must be a non-empty list"),
        ("indicators:\n  - {id: a, surface_forms: [甲]}\n  - {id: b, surface_forms: [甲]}\n",
         "already belongs to 'a'"),
        ("indicators:\n  - !!python/object:object {}\n", "invalid YAML"),  # safe_load only
    ],
)
def test_load_indicators_errors_name_file_and_problem(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(IndicatorLexiconError) as err:
        load_indicators(path)
    assert str(path) in str(err.value) and problem in str(err.value)


def test_load_indicators_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(IndicatorLexiconError, match=r"nope\.yaml: cannot read file"):
        load_indicators(missing)


def test_surface_forms_are_folded_and_defaults_apply() -> None:
    lex = IndicatorLexicon.from_mapping(
        {"indicators": [{"id": "gdp", "surface_forms": ["ＧＤＰ增长"]}]}, source="x.yaml"
    )
    ind = lex.get("gdp")
    assert ind is not None
    assert ind.surface_forms == ("GDP增长",) and ind.unit == "%" and ind.better == "none"


@pytest.mark.skipif(not REPO_LEXICON.exists(), reason="data/indicators.yaml not written yet")
def test_repository_lexicon_loads_and_reads_sichuan() -> None:
    lex = load_indicators(REPO_LEXICON)
    assert lex.get("gdp_growth") is not None
    _, found = run([(("2024年工作回顾",), fold(SICHUAN_L9)), (("2025年工作安排建议",), fold(SICHUAN_L33))],
                   lex, 2025)
    assert [(t.value, t.qualifier) for t in pick(found, kind="target", scope="own")] == [(5.5, "以上")]


# ---------------------------------------------------------------------------
# extract_targets on real sentences
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("folding", [fold, nfkc])
@pytest.mark.parametrize("with_headings", [True, False])
def test_sichuan_target_and_achievement(lex, folding, with_headings) -> None:
    review = ("2024年工作回顾",) if with_headings else ()
    plan = ("2025年工作安排建议",) if with_headings else ()
    _, found = run([(review, folding(SICHUAN_L9)), (plan, folding(SICHUAN_L33))], lex, 2025)
    gdp = pick(found)
    assert [(t.value, t.qualifier, t.kind, t.scope, t.year) for t in gdp] == [
        (5.7, "", "achievement", "own", 2024),
        (5.5, "以上", "target", "own", 2025),
    ]
    assert gdp[0].text == "地区生产总值增长5.7%"
    assert gdp[1].text == "地区生产总值增长5.5%以上" and gdp[1].indicator == "地区生产总值增长"
    # The next ；-item keeps the list's voice.
    assert [(t.value, t.qualifier, t.kind) for t in pick(found, "unemployment_rate")] == [(5.5, "左右", "target")]
    assert [(t.value, t.kind) for t in pick(found, "cpi_growth")] == [(2.0, "target")]


def test_sichuan_whole_paragraph_sentence(lex) -> None:
    """The pipeline may hand over whole paragraphs: same result."""
    doc = fold(SICHUAN_L33)
    s = Sent(0, 0, len(doc), doc, ("2025年工作安排建议",), "body", 0)
    found = extract_targets([s], year=2025, indicators=lex)
    assert [(t.indicator_id, t.value, t.qualifier, t.kind) for t in found] == [
        ("gdp_growth", 5.5, "以上", "target"),
        ("unemployment_rate", 5.5, "左右", "target"),
        ("cpi_growth", 2.0, "左右", "target"),
    ]


def test_list_items_without_paragraph_ids_follow_semicolons(lex) -> None:
    _, found = run([((), fold(SICHUAN_L33))], lex, 2025, paragraph_ids=False)
    assert {t.kind for t in found} == {"target"}


def test_national_2025(lex) -> None:
    review, plan = ("一、2024年工作回顾",), ("二、2025年经济社会发展总体要求和政策取向",)
    _, found = run([(review, NAT25_L12), (plan, NAT25_L47), (plan, NAT25_L49)], lex, 2025)
    gdp = pick(found)
    assert [(t.value, t.qualifier, t.kind, t.scope, t.year, t.text) for t in gdp] == [
        (5.0, "", "achievement", "own", 2024, "国内生产总值达到134.9万亿元、增长5%"),
        (5.0, "左右", "target", "own", 2025, "国内生产总值增长5%左右"),
        (5.0, "左右", "target", "own", 2025, "经济增长预期目标为5%左右"),
    ]
    # 对全球经济增长的贡献率保持在30%左右 is not a growth figure.
    assert not [t for t in gdp if t.value == 30]


def test_qinghai_target(lex) -> None:
    _, found = run([(("二、2025年目标任务和重点工作",), QINGHAI_L21)], lex, 2025)
    assert [(t.value, t.qualifier, t.kind, t.scope) for t in pick(found)] == [(4.5, "左右", "target", "own")]


@pytest.mark.parametrize("folding", [fold, nfkc, lambda s: s])  # also raw ％
def test_hubei_target_written_as_economic_growth(lex, folding) -> None:
    _, found = run([(("一、2024年工作回顾",), folding(HUBEI_REVIEW)),
                    (("二、2025年工作思路和重点任务",), folding(HUBEI_L27))], lex, 2025)
    gdp = pick(found)
    assert [(t.indicator, t.value, t.qualifier, t.kind, t.scope) for t in gdp] == [
        ("地区生产总值增长", 5.8, "", "achievement", "own"),
        ("经济增长", 6.0, "左右", "target", "own"),
    ]


def test_hubei_result_phrasing_without_headings(lex) -> None:
    # 增长5.8%、增速全国第3 is a result even with no section information.
    _, found = run([((), fold(HUBEI_REVIEW))], lex, 2025)
    assert [(t.value, t.kind) for t in pick(found)] == [(5.8, "achievement")]


def test_national_2005_parent_quote_kept_apart(lex) -> None:
    """The State Council report restates the 中央's figure after its own list."""
    heads = ("二、2005年工作总体部署",)
    _, found = run([(heads, NAT05_L123), (heads, NAT05_L125)], lex, 2005)
    assert [(t.value, t.qualifier, t.kind, t.scope, t.year) for t in pick(found)] == [
        (8.0, "左右", "target", "own", 2005),
        (8.0, "左右", "target", "parent_quote", 2005),
    ]
    frame = targets_frame(found)
    compared = compare_targets(frame, frame, {"gdp_growth": "higher"})
    assert compared.loc[0, "status"] == "equal"


def test_national_2004_parent_quote_without_headings(lex) -> None:
    _, found = run([((), NAT04_L144)], lex, 2004)
    assert [(t.value, t.kind, t.scope, t.year) for t in pick(found)] == [(7.0, "target", "parent_quote", 2004)]


def test_provincial_party_committee_is_not_a_parent(lex) -> None:
    _, found = run([(("二、2025年工作安排",), GUANGDONG_PLAN_HEAD)], lex, 2025)
    assert [(t.value, t.scope) for t in pick(found)] == [(5.0, "own")]


def test_parent_attribution_carries_to_list_items(lex) -> None:
    # Constructed sentence (no provincial report quotes the national list):
    # a list attributed to 国家 keeps that scope in its ；-items.
    text = "国家确定的主要预期目标是：国内生产总值增长5%左右；城镇调查失业率5.5%左右；"
    _, found = run([(("二、2025年工作安排",), text)], lex, 2025)
    assert {(t.indicator_id, t.scope) for t in found} == {
        ("gdp_growth", "parent_quote"), ("unemployment_rate", "parent_quote")}


def test_fujian_range_and_level_growth_result(lex) -> None:
    heads_review = ("一、牢记殷殷嘱托，在接续奋斗中新福建建设取得新成效",)  # slogan headings
    heads_plan = ("二、牢记历史使命，在中国式现代化建设中奋勇争先",)
    _, found = run([(heads_review, FUJIAN_REVIEW), (heads_plan, FUJIAN_PLAN)], lex, 2025)
    gdp = pick(found)
    assert [(t.value, t.value_high, t.qualifier, t.kind, t.year, t.text) for t in gdp] == [
        (5.5, None, "", "achievement", 2024, "地区生产总值57761亿元、增长5.5%"),
        (5.0, 5.5, "", "target", 2025, "地区生产总值增长5.0%—5.5%"),
    ]
    assert [(t.value, t.kind) for t in pick(found, "unemployment_rate")] == [(4.7, "achievement"), (5.0, "target")]


@pytest.mark.parametrize("sep", ["—", "-", "－", "至", "~"])
def test_range_separators(lex, sep) -> None:
    _, found = run([(("2025年工作安排",), f"地区生产总值增长5%{sep}5.5%。")], lex, 2025)
    assert [(t.value, t.value_high) for t in found] == [(5.0, 5.5)]
    _, found = run([(("2025年工作安排",), f"地区生产总值增长5{sep}5.5%左右。")], lex, 2025)
    assert [(t.value, t.value_high, t.qualifier) for t in found] == [(5.0, 5.5, "左右")]


def test_xizang_floor_and_stretch(lex) -> None:
    _, found = run([(("2025年工作安排",), XIZANG_PLAN)], lex, 2025)
    gdp = pick(found)
    assert [(t.value, t.qualifier, t.kind, t.text) for t in gdp] == [
        (7.0, "以上", "target", "地区生产总值增长7%以上"),
        (8.0, "力争", "target", "力争达到8%"),
    ]
    # 城镇调查失业率、居民消费价格涨幅分别控制在5%和3%以内 is not split by
    # position: nothing is attached to the unemployment rate.
    assert pick(found, "unemployment_rate") == []


@pytest.mark.parametrize(
    "heads, text, year_expected",
    [
        (("一、2024年工作回顾",), TIANJIN_FORECAST, 2024),
        (("一、2024年工作回顾",), BEIJING_FORECAST, 2024),
        ((), BEIJING_FORECAST, 2024),  # no section: still the year just ended
    ],
)
def test_forecasts(lex, heads, text, year_expected) -> None:
    _, found = run([(heads, fold(text))], lex, 2025)
    gdp = pick(found)
    assert [(t.kind, t.year) for t in gdp] == [("forecast", year_expected)]
    assert gdp[0].value in (5.1, 5.2) and gdp[0].qualifier == "左右"


def test_level_then_growth_results(lex) -> None:
    _, found = run([(("一、2024年工作回顾",), NINGXIA_REVIEW),
                    (("一、2024年工作回顾",), XINJIANG_REVIEW_HEAD)], lex, 2025)
    assert [(t.value, t.kind, t.text) for t in pick(found)] == [
        (5.4, "achievement", "地区生产总值5503亿元、增长5.4%"),
        (6.1, "achievement", "地区生产总值同比增长6.1%"),
    ]


@pytest.mark.parametrize("text", [HAINAN_OCEAN, GUANGXI_CONTRIB])
def test_compounds_are_not_gdp(lex, text) -> None:
    _, found = run([(("一、2024年工作回顾",), text)], lex, 2025)
    assert pick(found) == []


def test_this_year_beats_a_stale_review_phase(lex) -> None:
    # National 2003: the plan sits under a slogan heading after the review.
    text = "综合分析国内外各种情况，今年经济增长预期目标为7%左右，这是必要的，经过努力也是可以实现的。"
    in_corpus(NATIONAL / "gwr_national_2003.txt", text)
    _, found = run([(("一、过去五年政府工作回顾",), "过去五年，国内生产总值年均增长7.7%。"),
                    (("（一）继续扩大国内需求，实现经济稳定较快增长",), text)], lex, 2003)
    assert [(t.value, t.kind, t.year) for t in pick(found)][-1] == (7.0, "target", 2003)


def test_forecast_of_this_year(lex) -> None:
    _, found = run([((), "预计今年地区生产总值增长5%左右。")], lex, 2025)
    assert [(t.kind, t.year) for t in found] == [("forecast", 2025)]


def test_compliance_clause_is_not_a_parent_quote(lex) -> None:
    _, found = run([(("二、2025年工作安排",), "按照国家要求，地区生产总值增长5%左右。")], lex, 2025)
    assert [t.scope for t in found] == ["own"]
    _, found = run([(("二、2025年工作安排",), "党中央提出，今年经济增长5%左右。")], lex, 2025)
    assert [t.scope for t in found] == ["parent_quote"]


def test_comparison_after_a_planned_figure_stays_a_target(lex) -> None:
    _, found = run([((), "地区生产总值增长5.5%左右、高于全国平均水平。")], lex, 2025)
    assert [(t.kind, t.year) for t in found] == [("target", 2025)]


def test_list_intro_under_review_heading_lists_results(lex) -> None:
    # Constructed: a review sentence introducing results with 目标：.
    text = "全面完成年度主要目标：地区生产总值增长5.7%；城镇调查失业率5.3%；"
    _, found = run([(("一、2024年工作回顾",), text)], lex, 2025)
    assert {(t.kind, t.year) for t in found} == {("achievement", 2024)}


def test_context_free_fallback(lex) -> None:
    _, found = run([((), "地区生产总值增长5.5%左右。"), ((), "地区生产总值增长5.7%。")], lex, 2025)
    assert [(t.value, t.kind) for t in found] == [(5.5, "target"), (5.7, "achievement")]


def test_back_matter_has_no_phase(lex) -> None:
    doc = "名词解释：地区生产总值增长5%。"
    s = Sent(0, 0, len(doc), doc, ("2025年工作安排",), "back", 0)
    assert [t.kind for t in extract_targets([s], year=2025, indicators=lex)] == ["achievement"]


def test_year_none_and_empty_input(lex) -> None:
    _, found = run([(("2025年工作安排",), fold(SICHUAN_L33))], lex, None)
    assert pick(found)[0].year is None
    _, found = run([((), "2024年，地区生产总值增长5.7%。")], lex, None)
    assert pick(found)[0].year == 2024
    assert extract_targets([], year=2025, indicators=lex) == []


# ---------------------------------------------------------------------------
# targets_frame
# ---------------------------------------------------------------------------


def test_targets_frame_columns_and_dtypes(lex) -> None:
    _, found = run([(("2025年工作安排建议",), fold(SICHUAN_L33))], lex, 2025)
    frame = targets_frame(found)
    assert tuple(frame.columns) == TARGET_COLUMNS and len(frame) == len(found)
    assert frame["value"].dtype == "float64" and frame["value_high"].dtype == "float64"
    assert str(frame["year"].dtype) == "Int64"
    empty = targets_frame([])
    assert tuple(empty.columns) == TARGET_COLUMNS and empty.empty


# ---------------------------------------------------------------------------
# compare_targets
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def national_2025(lex) -> pd.DataFrame:
    review, plan = ("一、2024年工作回顾",), ("二、2025年经济社会发展总体要求和政策取向",)
    _, found = run([(review, NAT25_L12), (plan, NAT25_L47), (plan, NAT25_L49)], lex, 2025)
    return targets_frame(found)


def province(lex, text: str, heads=("二、2025年工作安排",)) -> pd.DataFrame:
    return targets_frame(run([(heads, fold(text))], lex, 2025)[1])


def status(out: pd.DataFrame, indicator_id: str = "gdp_growth") -> str:
    return out.set_index("indicator_id").loc[indicator_id, "status"]


def test_compare_qinghai_lowered_sichuan_escalated(lex, national_2025) -> None:
    qh = compare_targets(province(lex, QINGHAI_L21), national_2025, lex.better)
    assert tuple(qh.columns) == COMPARISON_COLUMNS
    row = qh.set_index("indicator_id").loc["gdp_growth"]
    assert (row.value_parent, row.qualifier_parent, row.value_child, row.qualifier_child, row.status) == (
        5.0, "左右", 4.5, "左右", "lowered")
    assert "4.5左右" in row.reason and "5左右" in row.reason
    sc = compare_targets(province(lex, SICHUAN_L33), national_2025, lex.better)
    assert status(sc) == "escalated"


@pytest.mark.parametrize(
    "text, expected",
    [
        (BEIJING_PLAN, "equal"),         # 5%左右 = 5%左右
        (HUBEI_L27, "escalated"),        # 6%左右 > 5%左右
        (JIANGSU_PLAN_HEAD, "escalated"),  # 5%以上 vs 5%左右: stronger qualifier
        (FUJIAN_PLAN, "escalated"),      # 5.0%—5.5%: same floor, higher top
    ],
)
def test_compare_real_provinces(lex, national_2025, text, expected) -> None:
    out = compare_targets(province(lex, text), national_2025, lex.better)
    assert status(out) == expected


def test_compare_lower_is_better_flips(lex, national_2025) -> None:
    # Shanghai 城镇调查失业率5%以内 vs national 5.5%左右: lower cap = more ambitious.
    out = compare_targets(province(lex, SHANGHAI_PLAN_HEAD), national_2025, lex.better)
    assert status(out, "unemployment_rate") == "escalated"
    # Same value, cap vs approx: 以内 is the stronger commitment for 'lower'.
    child = province(lex, "城镇调查失业率5.5%以内。")
    assert status(compare_targets(child, national_2025, lex.better), "unemployment_rate") == "escalated"
    child = province(lex, "城镇调查失业率6%左右。")
    assert status(compare_targets(child, national_2025, lex.better), "unemployment_rate") == "lowered"


def test_compare_better_none(lex, national_2025) -> None:
    out = compare_targets(province(lex, "居民消费价格涨幅2%左右。"), national_2025, lex.better)
    assert status(out, "cpi_growth") == "equal"
    out = compare_targets(province(lex, "居民消费价格涨幅3%左右。"), national_2025, lex.better)
    assert status(out, "cpi_growth") == "incomparable"


def test_compare_uses_headline_and_ignores_quotes_and_results(lex, national_2025) -> None:
    # Xizang: the headline is the first own target (7%以上), not 力争达到8%.
    out = compare_targets(province(lex, XIZANG_PLAN), national_2025, lex.better)
    row = out.set_index("indicator_id").loc["gdp_growth"]
    assert (row.value_child, row.qualifier_child) == (7.0, "以上")
    # A child frame with only a parent quote and a result has nothing to compare.
    _, found = run([((), NAT04_L144), (("一、2024年工作回顾",), SICHUAN_L9)], lex, 2025)
    assert compare_targets(targets_frame(found), national_2025, lex.better).empty


def test_compare_many_children_by_region(lex, national_2025) -> None:
    frames = []
    for region, text in [("qinghai", QINGHAI_L21), ("sichuan", SICHUAN_L33), ("beijing", BEIJING_PLAN)]:
        frames.append(province(lex, text).assign(region=region))
    out = compare_targets(pd.concat(frames), national_2025, lex.better, by=["region"])
    gdp = out[out.indicator_id == "gdp_growth"].set_index("region")["status"].to_dict()
    assert gdp == {"beijing": "equal", "qinghai": "lowered", "sichuan": "escalated"}
    assert list(out.columns[:2]) == ["region", "indicator_id"]


def test_compare_empty_and_missing_columns(lex, national_2025) -> None:
    out = compare_targets(targets_frame([]), national_2025, lex.better)
    assert out.empty and tuple(out.columns) == COMPARISON_COLUMNS
    with pytest.raises(KeyError, match="region"):
        compare_targets(targets_frame([]), national_2025, lex.better, by=["region"])


def test_units_are_converted_to_the_canonical_unit() -> None:
    grain = IndicatorLexicon.from_mapping({"indicators": [
        {"id": "grain_output", "unit": "亿斤", "better": "higher", "surface_forms": ["粮食产量", "粮食总产量保持在"]},
        {"id": "rd", "unit": "%", "surface_forms": ["全社会研发投入强度达"]},
    ]})
    # Units as written in Sichuan (亿斤), the national report (万亿斤), Fujian (万吨)
    # and Qinghai (万吨, with 保持在 inside the surface form).
    text = ("粮食产量725亿斤以上；粮食产量1.4万亿斤左右；粮食产量511万吨以上；"
            "粮食总产量保持在110万吨以上；粮食产量2000万亩。全社会研发投入强度达3.35%左右。")
    _, found = run([(("2025年工作安排",), text)], grain, 2025)
    assert [(t.value, t.unit, t.qualifier) for t in found] == [
        (725.0, "亿斤", "以上"), (14000.0, "亿斤", "左右"), (102.2, "亿斤", "以上"), (22.0, "亿斤", "以上"),
        (3.35, "%", "左右")]
    _, found = run([((), "城镇登记失业率低于4.5%。")], IndicatorLexicon.from_mapping(
        {"indicators": [{"id": "reg", "better": "lower", "surface_forms": ["城镇登记失业率低于"]}]}), 2025)
    assert [(t.value, t.qualifier) for t in found] == [(4.5, "低于")]  # qualifier inside the form


def test_planned_amount_compared_with_last_year_is_a_target() -> None:
    text = "拟发行超长期特别国债1.3万亿元、比上年增加3000亿元。"
    in_corpus(NAT25, text)
    bonds = IndicatorLexicon.from_mapping({"indicators": [
        {"id": "bonds", "unit": "亿元", "surface_forms": ["拟发行超长期特别国债"]}]})
    _, found = run([(("三、2025年政府工作任务",), text)], bonds, 2025)
    assert [(t.value, t.kind) for t in found] == [(13000.0, "target")]


def test_qualifier_strength_table() -> None:
    h = [qualifier_strength(q, "higher") for q in ("以内", "左右", "达到", "以上")]
    assert h == sorted(h) and len(set(h)) == 4
    assert qualifier_strength("约", "higher") == qualifier_strength("左右", "higher")
    assert qualifier_strength("力争", "higher") == qualifier_strength("不低于", "higher")
    assert qualifier_strength("以内", "lower") > qualifier_strength("左右", "lower") > qualifier_strength("以上", "lower")


@needs_provincial
@pytest.mark.parametrize("path, year, expected", [
    (SICHUAN, 2025, [(5.7, "achievement", 2024), (5.5, "target", 2025)]),
    (HUBEI, 2025, [(5.8, "achievement", 2024), (6.0, "target", 2025)]),
    (NAT25, 2025, [(5.0, "achievement", 2024), (5.0, "target", 2025), (5.0, "target", 2025)]),
])
def test_with_the_package_pipeline(lex, path, year, expected) -> None:
    """End to end with the package's own normaliser and sentence splitter."""
    try:
        from plantrace.structure.structure import split_structure
        from plantrace.structure.zones import detect_zones
        from plantrace.text.normalise import normalise_text
    except ImportError as exc:  # pragma: no cover - the pipeline is optional here
        pytest.skip(f"pipeline not importable: {exc}")
    text = normalise_text(path.read_text(encoding="utf-8"))
    sentences = split_structure(text, detect_zones(text)).sentences
    found = [t for t in extract_targets(sentences, year=year, indicators=lex)
             if t.indicator_id == "gdp_growth" and t.scope == "own"]
    assert [(t.value, t.kind, t.year) for t in found] == expected
    assert all(text[t.start : t.end] == t.text for t in found)


# ---------------------------------------------------------------------------
# all 31 provinces, rebuilt from the files
# ---------------------------------------------------------------------------

# Own 2025 gdp_growth headline targets, read from each 主要预期目标 paragraph:
# (value, value_high, qualifier, surface form seen).
EXPECTED_GDP_2025 = {
    "anhui": (5.5, None, "以上", "地区生产总值增长"),
    "beijing": (5.0, None, "左右", "地区生产总值增长"),
    "chongqing": (6.0, None, "左右", "地区生产总值增长"),
    "fujian": (5.0, 5.5, "", "地区生产总值增长"),
    "gansu": (5.5, None, "左右", "地区生产总值增长"),
    "guangdong": (5.0, None, "左右", "地区生产总值增长"),
    "guangxi": (5.0, None, "左右", "地区生产总值增长"),
    "guizhou": (5.5, None, "左右", "地区生产总值增长"),
    "hainan": (6.0, None, "以上", "地区生产总值增长"),
    "hebei": (5.0, None, "以上", "地区生产总值增长"),
    "heilongjiang": (5.0, None, "左右", "地区生产总值增长"),
    "henan": (5.5, None, "左右", "经济增长"),
    "hubei": (6.0, None, "左右", "经济增长"),
    "hunan": (5.5, None, "左右", "地区生产总值增长"),
    "jiangsu": (5.0, None, "以上", "地区生产总值增长"),
    "jiangxi": (5.0, None, "左右", "地区生产总值增长"),
    "jilin": (5.5, None, "左右", "地区生产总值增长"),
    "liaoning": (5.0, None, "以上", "地区生产总值增长"),
    "neimenggu": (6.0, None, "左右", "地区生产总值增长"),
    "ningxia": (5.5, None, "左右", "地区生产总值增长"),
    "qinghai": (4.5, None, "左右", "地区生产总值增长"),
    "shaanxi": (5.0, None, "左右", "生产总值增长"),
    "shandong": (5.0, None, "以上", "地区生产总值增长"),
    "shanghai": (5.0, None, "左右", "全市生产总值增长"),
    "shanxi": (5.0, None, "左右", "地区生产总值增长"),
    "sichuan": (5.5, None, "以上", "地区生产总值增长"),
    "tianjin": (5.0, None, "左右", "地区生产总值增长"),
    "xinjiang": (6.0, None, "左右", "地区生产总值增长"),
    "xizang": (7.0, None, "以上", "地区生产总值增长"),
    "yunnan": (5.0, None, "左右", "地区生产总值增长"),
    "zhejiang": (5.5, None, "左右", "生产总值增长"),
}
# National 2025 is 5%左右 (higher is better): status of each province.
EXPECTED_STATUS = {p: ("lowered" if v < 5 else "escalated" if (v, hi, q) != (5.0, None, "左右") else "equal")
                   for p, (v, hi, q, _) in EXPECTED_GDP_2025.items()}


@needs_provincial
def test_expected_table_covers_31_files() -> None:
    names = sorted(p.stem.removeprefix("gwr_2025_") for p in PROVINCIAL.glob("gwr_2025_*.txt"))
    assert names == sorted(EXPECTED_GDP_2025) and len(names) == 31


@needs_provincial
@pytest.mark.parametrize("folding", [fold, nfkc], ids=["pipeline_fold", "nfkc"])
@pytest.mark.parametrize("name", sorted(EXPECTED_GDP_2025))
def test_province_own_gdp_target(lex, name, folding) -> None:
    text = folding((PROVINCIAL / f"gwr_2025_{name}.txt").read_text(encoding="utf-8"))
    found = extract_targets(split_file(text), year=2025, indicators=lex)
    for t in found:
        assert text[t.start : t.end] == t.text
    own = pick(found, kind="target", scope="own", year=2025)
    assert (own[0].value, own[0].value_high, own[0].qualifier, own[0].indicator) == EXPECTED_GDP_2025[name]
    # Only Tibet adds a second own figure (its 力争达到8% stretch).
    assert len(own) == (2 if name == "xizang" else 1)
    # No report quotes a parent figure, and nothing from the review is a 2025 target.
    assert not [t for t in found if t.scope == "parent_quote"]
    assert all(t.year == 2024 for t in pick(found) if t.kind in ("achievement", "forecast"))


@needs_provincial
@pytest.mark.skipif(not REPO_LEXICON.exists(), reason="data/indicators.yaml not written yet")
def test_provinces_with_repository_lexicon() -> None:
    """The shared lexicon has more (and longer) surface forms; the headline
    values must not change."""
    repo = load_indicators(REPO_LEXICON)
    got = {}
    for name in sorted(EXPECTED_GDP_2025):
        text = fold((PROVINCIAL / f"gwr_2025_{name}.txt").read_text(encoding="utf-8"))
        own = pick(extract_targets(split_file(text), year=2025, indicators=repo),
                   kind="target", scope="own", year=2025)
        got[name] = (own[0].value, own[0].value_high, own[0].qualifier)
    assert got == {name: exp[:3] for name, exp in EXPECTED_GDP_2025.items()}


@needs_provincial
def test_all_provinces_against_national(lex) -> None:
    national = targets_frame(run([(("二、2025年经济社会发展总体要求和政策取向",), NAT25_L47)], lex, 2025)[1])
    frames = []
    for name in sorted(EXPECTED_GDP_2025):
        text = fold((PROVINCIAL / f"gwr_2025_{name}.txt").read_text(encoding="utf-8"))
        frames.append(targets_frame(extract_targets(split_file(text), year=2025, indicators=lex))
                      .assign(region=name))
    out = compare_targets(pd.concat(frames, ignore_index=True), national, lex.better, by=["region"])
    got = out[out.indicator_id == "gdp_growth"].set_index("region")["status"].to_dict()
    assert got == EXPECTED_STATUS
    assert sorted(set(got.values())) == ["equal", "escalated", "lowered"]
