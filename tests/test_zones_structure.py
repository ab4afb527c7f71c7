"""Zones and structure on the real documents."""

from __future__ import annotations

import re

import pytest


def _zone_of(doc, needle: str) -> str:
    i = doc.text.index(needle)
    return next(z.name for z in doc.zones if z.start <= i < z.end)


def test_tianfu_park_city_40_in_body_41_in_file(chengdu) -> None:
    doc = chengdu["tianfu_2022_development_plan_draft"]
    # 41 in the raw file (37 intact, 4 broken by PDF spaces); one is the TOC entry
    # 第十三章 全面塑造公园城市大美形态 ……- 28 -, which is front matter.
    assert doc.text.count("公园城市") == 41
    assert doc.body_text.count("公园城市") == 40
    assert _zone_of(doc, "全面塑造公园城市大美形态....") == "front"
    assert _zone_of(doc, "征求意见截止日期为2022年9月5日") == "front"
    assert _zone_of(doc, "咨询热线:173-2318-3961") == "back"
    assert _zone_of(doc, "为深入贯彻习近平总书记对四川工作系列重要指示精神") == "body"


def test_city_proposal_promotion_block_is_back_matter(chengdu) -> None:
    doc = chengdu["chengdu_2020_party_proposal"]
    assert _zone_of(doc, "奋力夺取全面建设社会主义现代化新天府和可持续发展世界城市新胜利") == "body"
    assert _zone_of(doc, "报告库会员") == "back"
    assert _zone_of(doc, "扫一扫获取") == "back"
    assert _zone_of(doc, "中商情报网讯") == "front"


def test_xindu_byline_and_author_line(chengdu) -> None:
    doc = chengdu["xindu_2021_signed_article"]
    assert doc.text[doc.zone("front").start:doc.zone("front").end].strip() == "许兴国"
    assert _zone_of(doc, "中共成都市新都区委书记") == "back"


def test_licence_footer_is_back_matter_everywhere(national) -> None:
    with_footer = [d for d in national if "本作品是中华人民共和国的" in d.text]
    # Every one of the 52 Wikisource work reports carries it; the 20 NPC resolutions do not, nor
    # does the 2020 report (issue 13), which comes from a translation memory, not Wikisource.
    assert len(with_footer) == 52
    assert {d.entry.doc_type for d in with_footer} == {"government_work_report"}
    for d in with_footer:
        assert _zone_of(d, "本作品是中华人民共和国的") == "back", d.doc_id
        assert "公有领域" not in d.body_text


def test_provincial_collector_headers_are_front_matter(provincial) -> None:
    for d in provincial:
        front = d.text[: d.body_span[0]]
        assert "政府工作报告" in front, d.doc_id  # the collector's title line
        assert d.body_text.lstrip().startswith("各位代表"), d.doc_id


@pytest.mark.parametrize("doc_id,appendix", [("gwr_2025_sichuan", "名词解释"), ("gwr_2025_guangdong", "附件1"),
                                             ("gwr_2025_jiangxi", "《政府工作报告》有关内容名词注释")])
def test_provincial_appendices_are_back_matter(provincial, doc_id: str, appendix: str) -> None:
    assert _zone_of(provincial[doc_id], appendix) == "back"


def test_provincial_review_headings_stay_headings(provincial) -> None:
    sichuan = provincial["gwr_2025_sichuan"]
    headings = [h.text for h in sichuan.headings]
    assert "2024年工作回顾" in headings
    growth = sichuan.sentence_at(sichuan.text.index("全省地区生产总值增长5.7%"))
    assert growth.heading_path == ("2024年工作回顾",)
    # In every report that has the line, it is a heading, never glued to its paragraph.
    for d in provincial:
        for m in re.finditer(r"(?m)^2024年工作回顾$", d.text):
            assert any(h.start == m.start() for h in d.headings), d.doc_id


def test_heading_paths_in_city_proposal(chengdu) -> None:
    doc = chengdu["chengdu_2020_party_proposal"]
    s = doc.sentence_at(doc.text.index("推进全民守法,打造全国一流法治城市"))
    # Item 49 stands under part 十二 (line 154 of the raw file), not 十一 (line 144); its
    # first sentence is a run-in heading.
    assert s.heading_path == ("十二、凝聚各方智慧力量,为实现“十四五”规划和二〇三五年远景目标而奋斗",
                              "49.积极推进社会主义政治建设。")  # line 160: 49.積極推進社會主義政治建設。


def test_run_in_headings_in_national_report(national) -> None:
    doc = national["gwr_national_2025"]
    texts = [h.text for h in doc.headings]
    assert "（一）大力提振消费、提高投资效益，全方位扩大国内需求。" in texts
    s = doc.sentence_at(doc.text.index("实施提振消费专项行动"))
    assert s.heading_path[-1] == "（一）大力提振消费、提高投资效益，全方位扩大国内需求。"


def test_flattened_table_cells_are_not_headings(chengdu) -> None:
    doc = chengdu["qingyang_2021_plan_outline"]
    assert not any(h.text in {"1.8", "25", "能源综合生产率(万吨标准煤)"} for h in doc.headings)
