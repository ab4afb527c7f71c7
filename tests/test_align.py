"""Tests for plantrace.align.

The real-text tests take sentences from the 2024 and 2025 government work
reports and from two Chengdu documents. Each sentence is first checked to be
in the corpus file, and each expected status was confirmed by reading the two
sentences side by side.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest
from rapidfuzz import fuzz

from plantrace.compare.align import STATUSES, align_sentences, matching_key, reuse_share

CORPORA = Path("/work/shared/corpora")
GWR_2024 = CORPORA / "gwr-national/texts/gwr_national_2024.txt"
GWR_2025 = CORPORA / "gwr-national/texts/gwr_national_2025.txt"
CHENGDU_CITY = CORPORA / "chengdu/002_078c5fb6598e1eee.txt"  # city proposal, traditional script
CHENGDU_QINGYANG = CORPORA / "chengdu/000_185538f95571903b.txt"  # 青羊区 outline

needs_gwr = pytest.mark.skipif(
    not (GWR_2024.exists() and GWR_2025.exists()), reason="government work report corpus not present"
)
needs_chengdu = pytest.mark.skipif(
    not (CHENGDU_CITY.exists() and CHENGDU_QINGYANG.exists()), reason="Chengdu corpus not present"
)


def _sentences(text: str) -> list[str]:
    # Split on sentence ends, semicolons and line breaks, as the task describes.
    return [s.strip() for s in re.split(r"[。！？；;!?\n]", text) if s.strip()]


def _pick(sentences: list[str], *wanted: str) -> list[str]:
    for s in wanted:
        assert s in sentences, f"not a sentence of the corpus file: {s}"
    return list(wanted)


def _row(frame: pd.DataFrame, b_index: int) -> pd.Series:
    rows = frame[frame["b_index"] == b_index]
    assert len(rows) == 1
    return rows.iloc[0]


# --- matching_key ----------------------------------------------------------


def test_matching_key_drops_punctuation_and_spaces_but_keeps_quantities():
    assert matching_key("推动 高质量发展，“十四五”时期。") == "推动高质量发展十四五时期"
    assert matching_key("增长５％左右") == "增长5%左右"  # NFKC, % kept
    assert matching_key("二○三五年") == matching_key("二〇三五年")


# --- real text: government work reports 2024 → 2025 ------------------------


@needs_gwr
def test_gwr_selected_sentences():
    sa = _sentences(GWR_2024.read_text(encoding="utf-8"))
    sb = _sentences(GWR_2025.read_text(encoding="utf-8"))
    a = _pick(
        sa,
        "现在，我代表国务院，向大会报告政府工作，请予审议，并请全国政协委员提出意见",  # 0
        "单位国内生产总值能耗降低2.5%左右，生态环境质量持续改善",  # 1
        "制定实施教育强国建设规划纲要",  # 2
        "做好2024年奥运会、残奥会备战参赛工作",  # 3: not in 2025
        "加强粮食和重要农产品稳产保供",  # 4
    )
    b = _pick(
        sb,
        # The opening formula, word for word.
        "现在，我代表国务院，向大会报告政府工作，请予审议，并请全国政协委员提出意见",
        # Same target sentence, new number (2.5% → 3%).
        "单位国内生产总值能耗降低3%左右，生态环境质量持续改善",
        # The education plan turned into a three-year action plan.
        "制定实施教育强国建设三年行动计划",
        # Grain security reworded: 加强 → 持续增强 … 能力.
        "持续增强粮食等重要农产品稳产保供能力",
        # A 2024 achievement, reported only in 2025.
        "“嫦娥六号”实现人类首次月球背面采样返回，“梦想”号大洋钻探船建成入列",
    )
    frame = align_sentences(a, b)
    got = {int(r.b_index): (r.status, r.a_index) for r in frame[frame["b_index"].notna()].itertuples()}
    assert got[0] == ("copied", 0)
    assert got[1] == ("copied", 1)
    assert got[2] == ("rewritten", 2)
    assert got[3] == ("rewritten", 4)
    assert got[4][0] == "new" and got[4][1] is pd.NA
    assert _row(frame, 0)["score"] == 100.0
    removed = frame[frame["status"] == "removed"]
    assert list(removed["a_index"]) == [3]  # the Olympics sentence
    assert removed["b_index"].isna().all()


@needs_gwr
def test_gwr_whole_reports():
    sa = _sentences(GWR_2024.read_text(encoding="utf-8"))
    sb = _sentences(GWR_2025.read_text(encoding="utf-8"))
    frame = align_sentences(sa, sb)
    # Every B sentence has exactly one row, and every A sentence appears at least once.
    b_rows = frame[frame["b_index"].notna()]
    assert sorted(b_rows["b_index"]) == list(range(len(sb)))
    assert set(frame["a_index"].dropna()) == set(range(len(sa)))
    assert set(frame["status"]) <= set(STATUSES)

    def status_of(sentence: str) -> str:
        return _row(frame, sb.index(sentence))["status"]

    # The closing thanks are boilerplate from one year to the next.
    assert status_of("向香港特别行政区同胞、澳门特别行政区同胞、台湾同胞和海外侨胞，表示衷心感谢") == "copied"
    # The section title differs only in the year.
    assert status_of("二、2025年经济社会发展总体要求和政策取向") == "copied"
    # 2025's new consumption policy has no 2024 counterpart.
    consumption = "促进消费和投资更好结合，加快补上内需特别是消费短板，使内需成为拉动经济增长的主动力和稳定锚"
    assert status_of(consumption) == "new"
    share = reuse_share(frame, [len(s) for s in sb])
    # About a fifth of the 2025 report is copied or rewritten from 2024 at the
    # sentence level (0.19 when this test was written).
    assert 0.12 < share < 0.3


# --- real text: Chengdu city proposal → 青羊 district outline -----------------


@needs_chengdu
def test_chengdu_district_outline_copies_city_proposal():
    opencc = pytest.importorskip("opencc")
    t2s = opencc.OpenCC("t2s")
    city_raw = CHENGDU_CITY.read_text(encoding="utf-8")
    district = _sentences(CHENGDU_QINGYANG.read_text(encoding="utf-8"))
    traditional = _pick(
        _sentences(city_raw),
        "深化以績效為導向的財政預算制度改革,推進財政支出標準化,提升財政資金配置效率和使用效益",
        "堅持“五育”并舉,深化教育體制機制改革,全面落實學校辦學自主權,促進現代學校制度建設",
    )
    a = [t2s.convert(s) for s in traditional]
    b = _pick(
        district,
        # The fiscal reform clause, copied word for word from the city.
        "深化以绩效为导向的财政预算制度改革,推进财政支出标准化,提升财政资金配置效率和使用效益",
        # The district keeps only the last two clauses of the city's education sentence.
        "全面落实学校办学自主权,促进现代学校制度建设",
        # District branding that the city proposal never mentions.
        "聚焦传承发展天府文化,文博青羊魅力日益彰显",
    )
    frame = align_sentences(a, b)
    assert (_row(frame, 0)["status"], _row(frame, 0)["a_index"], _row(frame, 0)["score"]) == ("copied", 0, 100.0)
    assert (_row(frame, 1)["status"], _row(frame, 1)["a_index"]) == ("rewritten", 1)
    assert _row(frame, 2)["status"] == "new"
    assert not (frame["status"] == "removed").any()


# --- behaviour on small inputs ---------------------------------------------


def test_thresholds_and_trivial_rows():
    a = ["推动成渝地区双城经济圈建设", "一、总体要求"]
    b = ["推动成渝地区双城经济圈建设", "推动成渝地区双城经济圈建设走深走实", "（一）", "全力打造国际消费中心城市"]
    frame = align_sentences(a, b)
    assert list(frame["status"]) == ["copied", "rewritten", "trivial", "new", "trivial"]
    assert frame["b_index"].tolist()[:4] == [0, 1, 2, 3] and pd.isna(frame["b_index"].iloc[4])
    # The score for "rewritten" is fuzz.ratio on the matching keys.
    expected = fuzz.ratio("推动成渝地区双城经济圈建设", "推动成渝地区双城经济圈建设走深走实")
    assert frame.loc[1, "score"] == pytest.approx(expected)
    assert math.isnan(frame.loc[2, "score"])
    # Raising the bars turns the rewrite into a new sentence. A0 is still
    # copied by B0, so nothing is removed.
    strict = align_sentences(a, b, rewritten=95, copied=99)
    assert list(strict["status"]) == ["copied", "new", "trivial", "new", "trivial"]


def test_min_chars_controls_trivial():
    frame = align_sentences(["总体要求"], ["总体要求"], min_chars=4)
    assert list(frame["status"]) == ["copied"]
    frame = align_sentences(["总体要求"], ["总体要求"])
    assert list(frame["status"]) == ["trivial", "trivial"]


def test_removed_rows_report_best_score():
    a = ["加快建设践行新发展理念的公园城市示范区", "深入实施创新驱动发展战略"]
    b = ["加快建设践行新发展理念的公园城市示范区"]
    frame = align_sentences(a, b)
    removed = frame[frame["status"] == "removed"]
    assert list(removed["a_index"]) == [1]
    assert removed["score"].iloc[0] == pytest.approx(fuzz.ratio(matching_key(a[1]), matching_key(b[0])))


def test_repeated_boilerplate_takes_distinct_a_sentences():
    thanks = "向关心和支持中国现代化建设的各国政府、国际组织和各国朋友，表示衷心感谢"
    a = [thanks, "坚持稳中求进工作总基调", thanks]
    b = [thanks, thanks]
    frame = align_sentences(a, b)
    assert list(frame["a_index"][:2]) == [0, 2]
    assert list(frame[frame["status"] == "removed"]["a_index"]) == [1]


def test_block_size_does_not_change_result():
    a = [f"第{i}项重点任务加快推进" for i in range(30)] + ["全力打造国际消费中心城市"]
    b = [f"第{i}项重点任务扎实推进" for i in range(0, 40, 3)] + ["全力打造国际消费中心城市"]
    pd.testing.assert_frame_equal(align_sentences(a, b), align_sentences(a, b, block_size=2))


def test_empty_and_all_trivial_sides():
    frame = align_sentences([], ["全力打造国际消费中心城市"])
    assert list(frame["status"]) == ["new"] and math.isnan(frame.loc[0, "score"])
    frame = align_sentences(["全力打造国际消费中心城市"], [])
    assert list(frame["status"]) == ["removed"] and math.isnan(frame.loc[0, "score"])
    frame = align_sentences([], [])
    assert list(frame.columns) == ["b_index", "a_index", "score", "status"] and frame.empty


def test_custom_scorer_is_used():
    a = ["推动成渝地区双城经济圈建设走深走实"]
    b = ["推动成渝地区双城经济圈建设"]
    assert align_sentences(a, b).loc[0, "status"] == "rewritten"
    assert align_sentences(a, b, scorer=fuzz.partial_ratio).loc[0, "status"] == "copied"


def test_invalid_thresholds():
    with pytest.raises(ValueError):
        align_sentences(["甲"], ["乙"], copied=50, rewritten=60)
    with pytest.raises(ValueError):
        align_sentences(["甲"], ["乙"], min_chars=0)


# --- reuse_share -----------------------------------------------------------


def test_reuse_share_counts_characters():
    a = ["推动成渝地区双城经济圈建设", "加快建设践行新发展理念的公园城市示范区"]
    b = ["推动成渝地区双城经济圈建设走深走实", "全力打造国际消费中心城市", "一、"]
    frame = align_sentences(a, b)
    lengths = [len(s) for s in b]  # 17, 12, 2
    assert reuse_share(frame, lengths) == pytest.approx(17 / 31)
    assert reuse_share(frame, dict(enumerate(lengths))) == pytest.approx(17 / 31)
    assert math.isnan(reuse_share(align_sentences(a, []), []))
    with pytest.raises(KeyError):
        reuse_share(frame, {1: 12})
