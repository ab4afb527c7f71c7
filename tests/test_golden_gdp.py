"""The hand-read GDP growth gold files are consistent with the texts they cite (issue 13).

``tests/golden/gdp_growth_national.json`` holds, for every national government work report
of ``corpora/gwr-national`` (1954-2025, 2020 included), the growth target the report sets:
one object for the year it plans (``scope`` annual, ``not_set`` when the report says it sets
none, ``none_stated`` when it states none) plus one object per five-year (plan-period)
figure. ``tests/golden/gdp_growth_provincial_2026.json`` holds each province's 2025 and 2026
targets and the 2025 → 2026 status under plantrace's comparison rule.

These tests do not run plantrace: they check that each gold value is what the cited
sentence says (the sentence is in the raw file byte for byte, the number — Arabic or Chinese
numerals — and the qualifier are in it) and that every status follows from the values.
Comparing plantrace's extraction with the gold is issue 13 part 3.
"""

from __future__ import annotations

import csv
import json
import math
import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden"
CORPORA = ROOT / "corpora"

NATIONAL = json.loads((GOLDEN / "gdp_growth_national.json").read_text(encoding="utf-8"))
PROVINCIAL = json.loads((GOLDEN / "gdp_growth_provincial_2026.json").read_text(encoding="utf-8"))

SCOPES = {"annual", "plan_period", "not_set", "none_stated"}
MEASURES = {"国内生产总值", "国民生产总值", "工农业总产值", "国民收入"}

_DIGITS = "零一二三四五六七八九"


def _cn(v: float) -> str:
    """8.6 -> 八点六, 14.1 -> 十四点一, 40 -> 四十, 21.7 -> 二十一点七 (0 < v < 100)."""
    whole, _, frac = f"{v:g}".partition(".")
    n = int(whole)
    tens, ones = divmod(n, 10)
    s = ("" if tens == 0 else ("" if tens == 1 else _DIGITS[tens]) + "十") + ("" if ones == 0 and tens else _DIGITS[ones])
    return s + ("点" + "".join(_DIGITS[int(d)] for d in frac) if frac else "")


def _norm(s: str) -> str:
    return unicodedata.normalize("NFKC", s).replace(" ", "").replace("\n", "")


def _says(sentence: str, v: float) -> bool:
    """The sentence states v as a percentage: '4.5%', '5.0%—', '4.5-5%', '百分之八至九'."""
    s = _norm(sentence)
    arabic = rf"(?<![0-9.]){re.escape(f'{v:g}')}(?:\.0)?(?:%|[-—–~至到][0-9.]+%)"
    chinese = rf"(?:百分之|百分之[{_DIGITS}十点]+[至到]){_cn(v)}(?![{_DIGITS}十点])"
    return bool(re.search(arabic, s) or re.search(chinese, s))


def _says_top(sentence: str, v: float) -> bool:
    """The top of a range: '5%—5.5%', '4.5-5%', '6%-6.5%', '百分之八至九'."""
    s = _norm(sentence)
    return bool(re.search(rf"[-—–~至到]{re.escape(f'{v:g}')}%", s)
                or re.search(rf"百分之[{_DIGITS}十点]+[至到]{_cn(v)}(?![{_DIGITS}十点])", s))


def _raw(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_cn_numerals_helper() -> None:
    assert [_cn(x) for x in (8.6, 14.1, 40, 21.7, 9, 10, 6.7)] == [
        "八点六", "十四点一", "四十", "二十一点七", "九", "十", "六点七"]
    assert _says("定为百分之八至九。", 8) and _says("定为百分之八至九。", 9)
    assert _says("增长4.5-5%，", 4.5) and _says("增长5.0%—5.5%", 5.0) and _says("增长8 ％", 8)
    assert not _says("增长百分之十八", 8) and not _says("增长14.5%", 4.5) and not _says("增长百分之八十", 8)


# ---- national ------------------------------------------------------------------------

def _national_reports() -> dict[str, int]:
    with open(CORPORA / "gwr-national" / "manifest.csv", encoding="utf-8", newline="") as fh:
        return {r["doc_id"]: int(r["year"]) for r in csv.DictReader(fh)
                if r["doc_type"] == "government_work_report"}


def test_national_covers_every_work_report_once_per_year() -> None:
    reports = _national_reports()
    assert len(reports) == 53  # 1954-2025 with the 2020 report; no 1989-1991, 1996
    assert {o["doc_id"] for o in NATIONAL} == set(reports)
    for o in NATIONAL:
        assert o["year"] == reports[o["doc_id"]], o["doc_id"]
    for doc in reports:
        objs = [o for o in NATIONAL if o["doc_id"] == doc]
        slot = [o["scope"] for o in objs if o["scope"] != "plan_period"]
        # the year the report plans: annual target(s) (one per measure), or not set, or none
        assert slot and (set(slot) == {"annual"} or slot in (["not_set"], ["none_stated"])), (doc, slot)


@pytest.mark.parametrize("o", NATIONAL, ids=lambda o: f"{o['doc_id']}-{o['scope']}-{o['measure']}")
def test_national_object_is_what_its_sentence_says(o: dict) -> None:
    assert o["scope"] in SCOPES
    assert set(o) == {"doc_id", "year", "measure", "value", "low", "high", "qualifier", "scope",
                      "target_period", "sentence", "note"}
    assert o["note"] or o["scope"] == "annual"
    if o["scope"] in ("not_set", "none_stated"):
        assert o["value"] is None and o["low"] is None and o["high"] is None and o["qualifier"] == ""
        assert o["note"]
        if o["scope"] == "not_set":
            assert "没有提出" in o["sentence"]
    else:
        assert o["measure"] in MEASURES
        assert isinstance(o["value"], float) and 0 < o["value"] < 100
        if o["high"] is not None:
            assert o["low"] == o["value"] < o["high"]  # a range: value is its floor
            assert _says(o["sentence"], o["high"]) or _says_top(o["sentence"], o["high"])
        else:
            assert o["low"] is None
        assert _says(o["sentence"], o["value"]), (o["sentence"], o["value"])
        if o["qualifier"]:
            assert o["qualifier"] in o["sentence"]
        if o["scope"] == "plan_period":
            a, b = map(int, o["target_period"].split("-"))
            assert a <= o["year"] <= b + 1 and 4 <= b - a <= 7
        else:
            assert o["target_period"] in (str(o["year"]), str(o["year"] + 1))
    if o["sentence"]:
        raw = _raw(CORPORA / "gwr-national" / "texts" / f"{o['doc_id']}.txt")
        assert o["sentence"] in raw


def test_national_known_readings() -> None:
    by = {(o["doc_id"], o["scope"], o["measure"]): o for o in NATIONAL}
    # 2020: the one report that says it sets no growth target
    assert by[("gwr_national_2020", "not_set", "国内生产总值")]["value"] is None
    # 2001: the 7%左右 is the 十五 average, not an annual target
    assert by[("gwr_national_2001", "plan_period", "国内生产总值")]["target_period"] == "2001-2005"
    assert ("gwr_national_2001", "annual", "国内生产总值") not in by
    # Chinese numerals and ranges
    r95 = by[("gwr_national_1995", "annual", "国内生产总值")]
    assert (r95["low"], r95["high"]) == (8.0, 9.0) and "百分之八至九" in r95["sentence"]
    assert by[("gwr_national_1994", "annual", "国内生产总值")]["value"] == 9.0
    # 2012 has no qualifier, 2013 has 左右
    assert by[("gwr_national_2012", "annual", "国内生产总值")]["qualifier"] == ""
    assert by[("gwr_national_2013", "annual", "国内生产总值")]["qualifier"] == "左右"


# ---- provincial ------------------------------------------------------------------------

# plantrace's comparison rule (toolkit/plantrace/targets.py, module docstring): for a
# better-higher indicator compare the floor, then the top of a range, then qualifier strength.
_CLASS = {"以内": "cap", "以下": "cap", "不高于": "cap", "不超过": "cap", "低于": "cap", "控制在": "cap",
          "左右": "approx", "上下": "approx", "约": "approx",
          "": "point", "达到": "point", "达": "point", "实现": "point", "保持在": "point", "稳定在": "point",
          "以上": "floor", "不低于": "floor", "超过": "floor", "高于": "floor", "力争": "stretch", "争取": "stretch"}
_RANK = {"cap": 0, "approx": 1, "point": 2, "floor": 3, "stretch": 3}


def _status(old: dict, new: dict) -> str:
    def top(t: dict) -> float:
        return t["high"] if t["high"] is not None else t["value"]
    for a, b in ((old["value"], new["value"]), (top(old), top(new))):
        if not math.isclose(a, b):
            return "escalated" if b > a else "lowered"
    ra, rb = _RANK[_CLASS[old["qualifier"]]], _RANK[_CLASS[new["qualifier"]]]
    return "equal" if ra == rb else ("escalated" if rb > ra else "lowered")


def test_provincial_covers_the_31_provinces() -> None:
    ids = sorted(p.stem for p in (CORPORA / "gwr-provincial-2026" / "texts").glob("gwr_2026_*.txt"))
    assert len(ids) == 31 == len(PROVINCIAL)
    assert sorted(o["target_2026"]["doc_id"] for o in PROVINCIAL) == ids
    assert sorted(o["target_2025"]["doc_id"] for o in PROVINCIAL) == [i.replace("2026", "2025") for i in ids]


@pytest.mark.parametrize("o", PROVINCIAL, ids=lambda o: o["province"])
def test_provincial_targets_are_what_the_sentences_say(o: dict) -> None:
    for year in (2025, 2026):
        t = o[f"target_{year}"]
        assert t["year"] == year and t["doc_id"] == f"gwr_{year}_{o['province']}"
        raw = _raw(CORPORA / f"gwr-provincial-{year}" / "texts" / f"{t['doc_id']}.txt")
        assert t["sentence"] in raw
        assert "生产总值" in t["sentence"] or "经济增长" in t["sentence"]
        assert _says(t["sentence"], t["value"]), (t["sentence"], t["value"])
        if t["high"] is not None:
            assert t["low"] == t["value"] < t["high"]
            assert _says_top(t["sentence"], t["high"]), t["sentence"]
        if t["qualifier"]:
            assert t["qualifier"] in t["sentence"]
    assert o["expected_status"] == _status(o["target_2025"], o["target_2026"]), o["why"]


def test_provincial_status_counts() -> None:
    counts: dict[str, int] = {}
    for o in PROVINCIAL:
        counts[o["expected_status"]] = counts.get(o["expected_status"], 0) + 1
    assert counts == {"lowered": 21, "equal": 9, "escalated": 1}
