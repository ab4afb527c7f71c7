"""Formulations (issue 17): candidates, per-document frame, pairs, lexicon stub, precision.

Sentences are copied from the bundled documents (file named in each test); counts were
checked by grep on the raw files (the proposal and the Xindu article are in traditional
characters: the grep used the traditional form).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import yaml

from plantrace.compare.formulations import (
    HEADS_PATH,
    KINDS,
    compare_formulations,
    count_occurrences,
    document_formulations,
    formulation_candidates,
    formulation_id,
    heads_file_header,
    load_heads,
    on_word_boundaries,
    quote_reason,
    suggest_from_formulations,
    text_candidates,
)
from plantrace.concepts.lexicon import default_lexicon, lexicon_from_mapping

GOLDEN = Path(__file__).parent / "golden" / "formulations_sample.json"


def kinds_of(text: str, **kw: int) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for c in text_candidates(text, **kw):
        out.setdefault(c.text, set()).add(c.kind)
    return out


# ---------------------------------------------------------------- data file

def test_heads_file_has_header_and_is_sorted_unique():
    header, words = heads_file_header()
    assert set(header) >= {"name", "version", "source", "format"}
    assert header["name"] == "formulation_heads"
    assert words == sorted(words), "head words must be sorted by code point"
    assert len(words) == len(set(words))
    assert {"经济", "产业", "战略", "工程", "行动", "示范区", "城市", "新区", "高地"} <= load_heads()
    assert HEADS_PATH.read_text(encoding="utf-8").startswith("# name:")


# ---------------------------------------------------------------- quoted

def test_quoted_real_text():
    # xindu_2021_signed_article.txt (normalised): 抢抓成都打造“双循环”战略枢纽、“双城记”重要极核的重大机遇
    k = kinds_of("抢抓成都打造“双循环”战略枢纽、“双城记”重要极核的重大机遇,壮大自身综合实力。")
    assert "quoted" in k["双循环"] and "quoted" in k["双城记"]
    # gwr_national_2025.txt: 「」 and 『』 are read like “”
    assert "quoted" in kinds_of("实施「两重」建设和『两新』政策。")["两重"]


@pytest.mark.parametrize("inner,before,after,reason", [
    ("稳", "", "", "too_short"),                      # gwr_national_2025: “稳”“进”
    ("引进一个人才,带来一个团队,孵化一个企业,带动一个产业", "", "", "too_long"),  # xindu article
    ("不忘初心。牢记使命", "", "", "sentence_inside"),
    ("十四五", "", "", "period_name"),
    ("十五五", "", "", "period_name"),
    ("全国示范步行街", "宽窄巷子入选首批", "", "honour_title"),  # qingyang plan outline
    ("天府旅游名县", "成功获评四川首批", "", "honour_title"),
    ("先进集体", "授予", "称号", "honour_title"),
    ("绿水青山就是金山银山", "指出：", "", "speech"),
    ("大手笔", "以规划", "", "scare_quote"),           # xindu article: 以规划“大手笔”谋划城市“大格局”
    ("东风", "", "", "scare_quote"),
])
def test_quote_exclusions(inner, before, after, reason):
    assert quote_reason(inner, before, after) == reason


def test_quote_kept_when_formula_marks():
    # numerals, 双 or + keep a short quote even if pkuseg knows it as a word
    for inner in ("双减", "三农", "六稳", "绿道+", "双碳"):
        assert quote_reason(inner) is None, inner


def test_honour_list_after_one_verb():
    # qingyang_2021_plan_outline.txt: 获评“四川省平安建设先进区”“四川省维护稳定先进区”。
    k = kinds_of("获评“四川省平安建设先进区”“四川省维护稳定先进区”。")
    assert "四川省平安建设先进区" not in k and "四川省维护稳定先进区" not in k


# ---------------------------------------------------------------- numbered

def test_numbered_real_text():
    # gwr_national_2023.txt: 更好统筹国内国际两个大局,更好统筹疫情防控和经济社会发展
    assert "numbered" in kinds_of("更好统筹国内国际两个大局，更好统筹疫情防控和经济社会发展。")["两个大局"]
    # tianfu_2022_development_plan_draft.txt: 四川天府新区空间结构为“两轴两翼、三组团四区”。
    k = kinds_of("四川天府新区空间结构为“两轴两翼、三组团四区”。")
    assert "numbered" in k["两轴两翼"] and "numbered" in k["三组团四区"]
    # xindu_2021_signed_article.txt: 推动家具向“智能制造+智慧家居”转型。
    assert "numbered" in kinds_of("推动家具向“智能制造+智慧家居”转型。")["智能制造+智慧家居"]
    # tianfu plan: 加快构建“3+9+n”总部经济产业体系
    assert "numbered" in kinds_of("加快构建“3+9+n”总部经济产业体系。")["3+9+n"]
    # gwr_national_2024.txt: 扎实开展“碳达峰十大行动”。 The quoted name is the candidate;
    # 十大行动 inside it is a fragment (test_numbered_exclusions)
    assert kinds_of("扎实开展“碳达峰十大行动”。")["碳达峰十大行动"] == {"quoted"}


@pytest.mark.parametrize("text,absent", [
    ("力争两个月内完成审批。", "两个月"),                  # a measure/time word after 个
    ("比上年提高五个百分点。", "五个百分点"),
    ("力争三年翻一番。", "三年翻一番"),                    # chain with a measure word 年
    ("全面贯彻党的二十大精神。", "十大精神"),              # numeral inside a larger number
    ("建设一个中心。", "一个中心"),                        # 一个 is an article
    ("三国蜀汉城等十大文化地标建设。", "十大文化"),        # proposal: the formula runs on (地标)
    ("“十四五”时期经济社会发展。", "十四五"),              # plan period, not a formulation
    ("推动产学研用一体的一站式服务。", "一体的一站式"),    # 的 inside a chain
    ("全年增长1+2。", "1+2"),                              # arithmetic-looking, no letter, one +
    ("扎实开展“碳达峰十大行动”。", "十大行动"),            # gwr 2024: fragment of the quoted name
    ("以金融、文博、商务三大主导产业为重点。", "三大主导产业"),  # qingyang outline: a count label
])
def test_numbered_exclusions(text, absent):
    assert absent not in kinds_of(text)


# ---------------------------------------------------------------- compound

def test_compound_real_text(chengdu):
    cands = formulation_candidates(chengdu["chengdu_2020_party_proposal"])
    compounds = Counter(c.text for c in cands if c.kind == "compound")
    # proposal: 公園城市 11 times in the raw file (grep), all in the body
    assert compounds["公园城市"] == 11
    # 成渝地區雙城經濟圈: 4 times; the nested 双城经济圈 never occurs alone, so it is not listed
    assert compounds["成渝地区双城经济圈"] == 4 and "双城经济圈" not in compounds
    assert compounds["新经济"] >= 10
    assert "经济" not in compounds and "发展经济" not in compounds


def test_compound_exclusions():
    text = "大力发展数字经济。发展数字经济。推动数字经济和平台经济。发展经济。"
    k = kinds_of(text)
    assert "compound" in k["数字经济"]
    assert "发展数字经济" not in k                 # starts with a verb
    assert "数字经济和实体经济" not in k            # function word inside
    assert "平台经济" not in k                      # seen once: below min_compound_count
    assert "经济" not in k and "发展经济" not in k  # the head alone, verb + head
    assert "平台经济" in kinds_of(text, min_compound_count=1)
    # 成都经济 only inside 成都经济社会发展 (proposal, heading 3): never ends its phrase
    assert "成都经济" not in kinds_of("“十四五”时期成都经济社会发展。成都经济社会发展的总体要求。")
    # 工作机制: a generic first word
    assert "工作机制" not in kinds_of("完善工作机制。健全工作机制。")


def test_boundaries():
    s = "推动创新经济发展"
    assert not on_word_boundaries(s, 3, 6)        # 新经济 splits 创新
    assert count_occurrences("发展新经济,推动创新经济发展", "新经济") == [2]


def test_candidates_cite_body_and_raw(chengdu):
    doc = chengdu["qingyang_2021_plan_outline"]
    bs, be = doc.body_span
    cands = formulation_candidates(doc)
    assert {c.kind for c in cands} == set(KINDS)
    for c in cands:
        assert bs <= c.start < c.end <= be
        assert doc.text[c.start:c.end] == c.text
        assert doc.sentences[c.sentence_id].zone == "body"
        assert doc.sentences[c.sentence_id].start <= c.start < doc.sentences[c.sentence_id].end
    # qingyang_2021_plan_outline.txt line 62 area: 加快“三街两坊五景”等项目建设 (simplified raw, no wrap)
    c = next(c for c in cands if c.text == "三街两坊五景")
    assert doc.raw[c.raw_start:c.raw_end] == "三街两坊五景"


# ---------------------------------------------------------------- frames

def test_document_formulations_frame(chengdu):
    lex = default_lexicon()
    f = document_formulations([chengdu["qingyang_2021_plan_outline"]], lexicon=lex)
    assert {"doc_id", "formulation", "kind", "count", "first_sentence", "first_raw_start",
            "concept_id", "concept_rule", "year", "level", "doc_type"} <= set(f.columns)
    row = f.set_index("formulation").loc["总部经济"]
    assert row.concept_id == "headquarters_economy" and row.concept_rule == "alias_equals"
    assert row.level == "district" and int(row.year) == 2021
    assert "总部经济" in row.first_sentence
    assert not f.duplicated(["doc_id", "formulation"]).any()


def test_pair_statuses_proposal_to_qingyang(chengdu):
    d = compare_formulations(chengdu["chengdu_2020_party_proposal"], chengdu["qingyang_2021_plan_outline"])
    r = d.set_index("formulation")
    # 航空产业: 0 in the proposal (grep 航空產業/航空产业: 0), 11 in the Qingyang outline (grep: 11)
    assert (r.loc["航空产业", "status"], r.loc["航空产业", "count_a"], r.loc["航空产业", "count_b"]) == ("new", 0, 11)
    # 公园城市: proposal 公園城市 11, Qingyang 公园城市 14 (grep)
    assert (r.loc["公园城市", "status"], r.loc["公园城市", "count_a"], r.loc["公园城市", "count_b"]) == ("kept", 11, 14)
    # 国家中心城市: proposal 國家中心城市 5, Qingyang 0 (grep)
    assert (r.loc["国家中心城市", "status"], r.loc["国家中心城市", "count_a"], r.loc["国家中心城市", "count_b"]) == ("dropped", 5, 0)
    assert r.loc["国家中心城市", "evidence_doc"] == "chengdu_2020_party_proposal"
    assert r.loc["航空产业", "g2"] > 0 > r.loc["国家中心城市", "g2"]
    # ranking: all new first, by g2 descending
    new = d[d.status == "new"]
    assert list(d.status[:len(new)]) == ["new"] * len(new)
    assert new.g2.is_monotonic_decreasing
    assert d.taken_up_from_parent.isna().all()


def test_taken_up_from_parent(chengdu):
    d = compare_formulations(chengdu["xindu_2021_signed_article"], chengdu["qingyang_2021_plan_outline"],
                             parent=chengdu["chengdu_2020_party_proposal"]).set_index("formulation")
    # 三城三都: Xindu 0 (grep), Qingyang 4 quoted, proposal “三城三都” 2 (grep): taken up from the city
    assert d.loc["三城三都", "status"] == "new" and bool(d.loc["三城三都", "taken_up_from_parent"])
    # 总部经济: new in Qingyang, but the proposal has no 總部經濟 (grep: 0)
    assert d.loc["总部经济", "status"] == "new" and not d.loc["总部经济", "taken_up_from_parent"]
    assert "三城三都" in d.loc["三城三都", "evidence_sentence"]


def test_national_pair(national):
    d = compare_formulations(national["gwr_national_2024"], national["gwr_national_2025"]).set_index("formulation")
    # gwr_national_2025.txt: “两重”“两新”; gwr_national_2024.txt has neither (grep: 0)
    assert d.loc["两重", "status"] == "new" and d.loc["两新", "status"] == "new"
    # 新质生产力 is in both reports
    assert d.loc["新质生产力", "status"] == "kept"


def test_suggest_stub_loads_and_skips_covered(chengdu):
    lex = default_lexicon()
    f = document_formulations([chengdu["xindu_2021_signed_article"]], lexicon=lex)
    text = suggest_from_formulations(f, lex)
    data = yaml.safe_load(text)
    stub = lexicon_from_mapping(data)
    labels = {c.label for c in stub.concepts.values()}
    assert "五绿润城" in labels                      # no concept has it
    assert "双城记" not in labels                    # an alias of chengyu_economic_circle
    c = stub.concepts[formulation_id("五绿润城")]
    assert c.source == "first seen in xindu_2021_signed_article 2021"
    assert "curate before use" in c.note


# ---------------------------------------------------------------- precision

# Stated in the report for issue 17 (sample judged with the rules of this commit):
# quoted 47/49, numbered 10/14, compound 33/42, overall 90/105.
PRECISION = {"quoted": 47 / 49, "numbered": 10 / 14, "compound": 33 / 42}
PRECISION_OVERALL = 90 / 105


def test_golden_sample_precision(chengdu, national):
    gold = json.loads(GOLDEN.read_text(encoding="utf-8"))
    items = gold["items"]
    assert len(items) >= 100
    assert all(set(i) >= {"doc_id", "formulation", "kind", "sentence", "is_formulation", "why"} for i in items)
    by_id = {d.doc_id: d for corpus in (chengdu, national) for d in corpus}
    docs = [by_id[d] for d in gold["documents"]]
    f = document_formulations(docs)
    produced = set(zip(f.doc_id, f.formulation, f.kind))
    missing = [(i["doc_id"], i["formulation"], i["kind"]) for i in items
               if (i["doc_id"], i["formulation"], i["kind"]) not in produced]
    assert not missing, f"sample candidates no longer produced (re-sample and re-judge): {missing}"
    # the judged sentence is still the first sentence the frame cites
    first = dict(zip(zip(f.doc_id, f.formulation), f.first_sentence))
    assert all(first[(i["doc_id"], i["formulation"])] == i["sentence"] for i in items)
    for kind, stated in PRECISION.items():
        judged = [i["is_formulation"] for i in items if i["kind"] == kind]
        assert judged and sum(judged) / len(judged) >= stated - 1e-9, kind
        assert gold["by_kind"][kind] == {"real": sum(judged), "judged": len(judged)}
    real = sum(i["is_formulation"] for i in items)
    assert real / len(items) >= PRECISION_OVERALL - 1e-9
    assert (gold["real"], gold["judged"]) == (real, len(items))
