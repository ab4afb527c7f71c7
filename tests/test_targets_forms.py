"""Target forms of issue 13 §3 and the comparison against the previous year (§1).

Every sentence is copied from the document named in the comment (normalised text: full-width
digits folded); the values were checked by reading it. Constructed inputs say so.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import plantrace
from plantrace.cli import app
from plantrace.compare.targets.extract import plan_period_of
from plantrace.compare.targets.figures import _find_figures, chinese_number
from plantrace.compare.targets.tables import default_indicators
from plantrace.errors import PlantraceError

CORPORA = Path(__file__).resolve().parents[1] / "corpora"


@pytest.fixture(scope="module")
def nat(national: plantrace.Corpus) -> pd.DataFrame:
    return national.targets(indicator="gdp_growth")


@pytest.fixture(scope="module")
def prov26() -> plantrace.Corpus:
    return plantrace.load_corpus(CORPORA / "gwr-provincial-2026")


def _rows(frame: pd.DataFrame, doc_id: str, **eq: object) -> pd.DataFrame:
    rows = frame[frame["doc_id"] == doc_id]
    for k, v in eq.items():
        rows = rows[rows[k] == v]
    return rows


def _one_target(frame: pd.DataFrame, doc_id: str) -> pd.Series:
    rows = _rows(frame, doc_id, kind="target", scope="own")
    rows = rows[rows["target_year"] == rows["year"]]
    assert not rows.empty, doc_id
    return rows.sort_values("start").iloc[0]


@pytest.mark.parametrize(("doc_id", "value", "high", "measure", "text"), [
    # gwr_national_1992.txt: 今年计划要求，在保持社会总需求与总供给基本平衡的基础上，国民生产总值增长百分之六
    ("gwr_national_1992", 6.0, None, "国民生产总值", "国民生产总值增长百分之六"),
    # gwr_national_1993.txt: 今年国民生产总值计划增长百分之八 (计划 between subject and 增长)
    ("gwr_national_1993", 8.0, None, "国民生产总值", "国民生产总值计划增长百分之八"),
    # gwr_national_1994.txt: 根据这个要求，今年计划国内生产总值增长百分之九。
    ("gwr_national_1994", 9.0, None, "国内生产总值", "国内生产总值增长百分之九"),
    # gwr_national_1995.txt: 综合分析各方面的条件，今年经济增长速度的宏观调控目标，定为百分之八至九。
    ("gwr_national_1995", 8.0, 9.0, "", "经济增长速度的宏观调控目标，定为百分之八至九"),
    # gwr_national_1997.txt: 今年要保持国民经济持续、快速、健康发展，经济增长速度的调控目标定为８％
    ("gwr_national_1997", 8.0, None, "", "经济增长速度的调控目标定为8%"),
    # gwr_national_2004.txt: 中央提出今年经济增长预期目标为7%左右 (a national report quotes itself)
    ("gwr_national_2004", 7.0, None, "", "经济增长预期目标为7%左右"),
    # gwr_national_1956.txt: １９５６年的国民经济计划实现以后，我国工农业总产值将比上年增长１４．１％。
    ("gwr_national_1956", 14.1, None, "工农业总产值", "工农业总产值将比上年增长14.1%"),
])
def test_national_forms_read(nat: pd.DataFrame, doc_id: str, value: float, high: float | None,
                             measure: str, text: str) -> None:
    row = _one_target(nat, doc_id)
    assert row["text"] == text
    assert math.isclose(row["value"], value)
    assert (high is None and pd.isna(row["value_high"])) or math.isclose(row["value_high"], high)
    assert row["qualifier"] == ("左右" if doc_id == "gwr_national_2004" else "")
    assert row["measure"] == measure


def test_2004_central_figure_is_own_not_parent_quote(nat: pd.DataFrame) -> None:
    # gwr_national_2004.txt: 中央提出今年经济增长预期目标为7%左右 — the national report's own target.
    assert _rows(nat, "gwr_national_2004", scope="parent_quote").empty
    assert _one_target(nat, "gwr_national_2004")["qualifier"] == "左右"


def test_plan_period_figures(nat: pd.DataFrame) -> None:
    # gwr_national_2001.txt: 综合考虑各方面因素，“十五”期间年均经济增长速度预期目标为7％左右。
    r = _rows(nat, "gwr_national_2001", value=7.0, qualifier="左右").iloc[0]
    assert (r["scope"], r["kind"], r["target_period"]) == ("plan_period", "target", "2001-2005")
    # ... and the 2001 report has no annual target of its own (gold: none_stated).
    assert _rows(nat, "gwr_national_2001", kind="target", scope="own").empty
    # gwr_national_2006.txt: 2005年与2000年相比，国内生产总值增长57.3%，年均增长9.5% — cumulative 2001-05.
    r = _rows(nat, "gwr_national_2006", value=57.3).iloc[0]
    assert (r["scope"], r["kind"], r["target_period"]) == ("plan_period", "achievement", "2001-2005")
    # gwr_national_2006.txt: 《…纲要（草案）》提出，今后五年国内生产总值年均增长7.5%
    r = _rows(nat, "gwr_national_2006", value=7.5).iloc[0]
    assert (r["scope"], r["kind"], r["target_period"]) == ("plan_period", "target", "2006-2010")
    # gwr_national_1986.txt: “七五”计划草案规定，全国工农业总产值平均每年增长百分之六点七，…；
    # 国民生产总值平均每年增长百分之七点五。 (the second item is its own sentence: the period carries)
    got = _rows(nat, "gwr_national_1986", scope="plan_period", kind="target")
    assert sorted(zip(got["value"], got["target_period"], got["measure"])) == [
        (6.7, "1986-1990", "工农业总产值"), (7.5, "1986-1990", "国民生产总值")]
    # gwr_national_1988.txt: 到１９９２年，…使国民生产总值达到１５５００亿元左右，平均每年增长７．５％左右。
    r = _rows(nat, "gwr_national_1988", scope="plan_period").iloc[0]
    assert (r["value"], r["qualifier"], r["target_period"]) == (7.5, "左右", "1988-1992")


def test_not_set_2020(nat: pd.DataFrame) -> None:
    # gwr_national_2020.txt: 需要说明的是，我们没有提出全年经济增速具体目标，主要因为全球疫情…
    rows = _rows(nat, "gwr_national_2020", kind="not_set")
    assert len(rows) == 1
    r = rows.iloc[0]
    assert r["text"] == "没有提出全年经济增速具体目标" and r["target_year"] == 2020 and pd.isna(r["value"])
    assert _rows(nat, "gwr_national_2020", kind="target", scope="own").empty


def test_provincial_2026_forms(prov26: plantrace.Corpus) -> None:
    t = prov26.targets(indicator="gdp_growth")
    # gwr_2026_jiangsu: 今年经济社会发展主要预期目标是：地区生产总值按增长5%安排，在实际工作中努力争取更好结果；
    r = _one_target(t, "gwr_2026_jiangsu")
    assert (r["value"], r["qualifier"], r["text"]) == (5.0, "", "地区生产总值按增长5%")
    # gwr_2026_jilin: 人均地区生产总值增长25%左右 — per capita, never the region's GDP growth.
    assert _rows(t, "gwr_2026_jilin", value=25.0).empty


def test_chinese_numerals_and_ranges() -> None:
    # Numerals as the reports write them: 百分之十四点二 (gwr_national_1992.txt, 工业总产值),
    # 百分之二十一点七 (gwr_national_1982.txt), 百分之四十 (gwr_national_1959.txt).
    assert [chinese_number(x) for x in ("十四点二", "二十一点七", "四十", "8.5")] == [14.2, 21.7, 40.0, 8.5]
    lex = default_indicators()
    # Constructed: a range in each separator and 保持在…区间 (no report of the corpora writes
    # these with a GDP figure); the figure must read the same whatever the separator.
    for sep in ("至", "到", "—", "－", "～", "-"):
        f = _find_figures(f"国内生产总值增长百分之八{sep}九", lex)
        assert [(x.value, x.value_high) for x in f] == [(8.0, 9.0)], sep
    f = _find_figures("国内生产总值增长百分之五左右", lex)
    assert [(x.value, x.qualifier) for x in f] == [(5.0, "左右")]
    f = _find_figures("经济增长保持在6%-7%区间", lex)
    assert [(x.value, x.value_high, x.qualifier) for x in f] == [(6.0, 7.0, "保持在")]


def test_plan_period_of() -> None:
    assert plan_period_of("按调整后的“八五”计划，", 1993) == "1991-1995"
    assert plan_period_of("“十三五”时期经济年均增长", 2016) == "2016-2020"
    assert plan_period_of("“一五”计划", 1955) == "1953-1957"
    assert plan_period_of("年均增长", 2012) is None


def test_compare_previous_api(prov26: plantrace.Corpus) -> None:
    both = plantrace.load_corpus([CORPORA / "gwr-provincial-2025", CORPORA / "gwr-provincial-2026"])
    out = both.compare_targets(indicator="gdp_growth", against="previous")
    assert len(out) == 31 and set(out["years_apart"]) == {1} and set(out["parent_year"]) == {2025}
    # gwr_2025_jiangxi 5%左右 → gwr_2026_jiangxi 5%—5.5%: the one escalation (gold).
    jx = out[out["doc_child"] == "gwr_2026_jiangxi"].iloc[0]
    assert (jx["doc_parent"], jx["status"]) == ("gwr_2025_jiangxi", "escalated")
    assert out["status"].value_counts().to_dict() == {"lowered": 21, "equal": 9, "escalated": 1}
    with pytest.raises(PlantraceError):
        both.compare_targets(against="grandparent")


def test_missing_parent_year_named(national: plantrace.Corpus) -> None:
    c = plantrace.load_corpus([CORPORA / "gwr-national", CORPORA / "gwr-provincial-2026"])
    missing = c.missing_parent_year()
    assert len(missing) == 31 and set(missing["parent_year"]) == {2025} and set(missing["year"]) == {2026}
    cmp = c.compare_targets(indicator="gdp_growth")
    assert set(cmp["parent_year"]) == {2025} and set(cmp["years_apart"]) == {1}
    result = CliRunner().invoke(app, ["--no-store", "targets", str(CORPORA / "gwr-national"),
                                      str(CORPORA / "gwr-provincial-2026"), "--compare-parent",
                                      "--indicator", "gdp_growth", "--json"])
    assert result.exit_code == 0, result.output
    assert "31 documents have no parent-level document of their year" in result.stderr


def test_codebook_lists_the_missing_parent_note() -> None:
    from plantrace.report.codebook import CODEBOOK, codebook_markdown
    md = codebook_markdown({"notes": ["target_comparison: 31 documents have no parent-level document"]},
                           {"target_previous": "target_previous.csv"})
    assert "## Notes" in md and "31 documents have no parent-level document" in md
    assert "years_apart" in CODEBOOK["target_previous"] and "parent_year" in CODEBOOK["target_comparison"]
    assert md.index("## Notes") < md.index("## target_previous.csv")
