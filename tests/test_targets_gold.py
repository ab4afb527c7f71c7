"""plantrace's GDP-growth targets against the hand-read gold files (issue 13 §3).

``tests/golden/gdp_growth_national.json`` gives, for every national government work report
(1954-2025), the growth target it sets for the year it plans (scope ``annual``, ``not_set``
for 2020, ``none_stated`` when there is none) and its five-year figures (``plan_period``);
``tests/golden/gdp_growth_provincial_2026.json`` the 31 provinces' 2025 and 2026 targets and
the 2025 → 2026 status. The gold was read by hand from the documents (``tests/test_golden_gdp.py``
checks that each value is in the cited sentence); here the extractor is run on the corpora and
must agree. Cases plantrace still gets wrong are ``xfail(strict=True)`` with the reason, so a
fix shows up as an XPASS to be promoted.

What "agree" means, per national report: plantrace's *annual own target* of ``gdp_growth``
is the first row (document order) with ``kind == 'target'``, ``scope == 'own'`` and
``target_year`` equal to the year the gold says the report plans (1980 and 1981 plan the
next year). Value, ``value_high`` (the gold's ``high``) and qualifier must equal one of the
gold's annual objects of that report; ``none_stated`` means no such row and no ``not_set``
row; ``not_set`` means a ``kind == 'not_set'`` row and no annual target. The ``measure``
(工农业总产值, 国民生产总值, …) is not compared: the gold names it for reports whose
sentence says only 经济增长.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import plantrace

GOLDEN = Path(__file__).resolve().parent / "golden"
CORPORA = Path(__file__).resolve().parents[1] / "corpora"

NATIONAL = json.loads((GOLDEN / "gdp_growth_national.json").read_text(encoding="utf-8"))
PROVINCIAL = json.loads((GOLDEN / "gdp_growth_provincial_2026.json").read_text(encoding="utf-8"))

# Known disagreements, each with what plantrace does instead (read from its output).
NATIONAL_XFAIL: dict[int, str] = {
    1959: "一九五九年的工农业总产值将比一九五八年的二千零五十亿元增长百分之四十: a base amount in "
          "Chinese numerals between subject and 增长 is not read",
    1980: "工农业总产值，比1980年预计增长5.5％ (a list item for 1981 after a comma): no figure read",
    1981: "要求工农业总产值的增长速度由今年预计的３％提高到４％ / 国民收入也安排为比今年增长４％左右: "
          "由…提高到 and 安排为比今年增长 are not read (and 今年 there means 1981, the target is 1982)",
}
PLAN_XFAIL: dict[tuple[int, float], str] = {
    (1955, 8.6): "超过五年计划规定的平均每年增长百分之八点六: the subject (工业农业总产值) is in the previous sentence",
    (1982, 4.0): "平均每年递增百分之四: no subject in the clause; 递增 is not a surface form",
}
PROVINCIAL_XFAIL: dict[str, str] = {}


def _by_doc() -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for rec in NATIONAL:
        if rec["scope"] != "plan_period":
            out.setdefault(rec["doc_id"], []).append(rec)
    return out


ANNUAL = _by_doc()
PLANS = [r for r in NATIONAL if r["scope"] == "plan_period"]


@pytest.fixture(scope="module")
def national_targets(national: plantrace.Corpus) -> pd.DataFrame:
    return national.targets(indicator="gdp_growth")


@pytest.fixture(scope="module")
def previous() -> pd.DataFrame:
    both = plantrace.load_corpus([CORPORA / "gwr-provincial-2025", CORPORA / "gwr-provincial-2026"])
    return both.compare_targets(indicator="gdp_growth", against="previous")


def _same(a: float | None, b: float | None) -> bool:
    a = None if a is None or (isinstance(a, float) and math.isnan(a)) else a
    b = None if b is None or (isinstance(b, float) and math.isnan(b)) else b
    return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b))


def _mark(reason: str | None) -> list[Any]:
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


def national_annual(frame: pd.DataFrame, doc_id: str, gold: list[dict[str, Any]]) -> tuple[str, Any]:
    """(what plantrace says, the row or None) for one report; used by the test and the summary."""
    rows = frame[frame["doc_id"] == doc_id]
    not_set = rows[rows["kind"] == "not_set"]
    years = {int(g["target_period"]) for g in gold if g["scope"] == "annual"} or {int(gold[0]["year"])}
    own = rows[(rows["kind"] == "target") & (rows["scope"] == "own") & rows["target_year"].isin(years)]
    own = own.sort_values("start", kind="stable")
    if not own.empty:
        return "annual", own.iloc[0]
    if not not_set.empty:
        return "not_set", not_set.iloc[0]
    return "none_stated", None


@pytest.mark.parametrize("doc_id", [pytest.param(d, marks=_mark(NATIONAL_XFAIL.get(int(g[0]["year"]))), id=str(g[0]["year"]))
                                    for d, g in ANNUAL.items()])
def test_national_annual_target_agrees_with_gold(national_targets: pd.DataFrame, doc_id: str) -> None:
    gold = ANNUAL[doc_id]
    scope, row = national_annual(national_targets, doc_id, gold)
    expected_scope = gold[0]["scope"]
    assert scope == expected_scope, (doc_id, scope, None if row is None else row["text"])
    if scope == "annual":
        assert any(_same(row["value"], g["value"]) and _same(row["value_high"], g["high"])
                   and row["qualifier"] == g["qualifier"] for g in gold), (row["text"], gold)


@pytest.mark.parametrize("gold", [pytest.param(g, marks=_mark(PLAN_XFAIL.get((g["year"], g["value"]))),
                                               id=f"{g['year']}-{g['value']}") for g in PLANS])
def test_national_plan_period_target_agrees_with_gold(national_targets: pd.DataFrame,
                                                      gold: dict[str, Any]) -> None:
    rows = national_targets[(national_targets["doc_id"] == gold["doc_id"])
                            & (national_targets["scope"] == "plan_period")
                            & (national_targets["kind"] == "target")]
    hits = [r for _, r in rows.iterrows()
            if _same(r["value"], gold["value"]) and _same(r["value_high"], gold["high"])
            and r["qualifier"] == gold["qualifier"] and r["target_period"] == gold["target_period"]]
    assert hits, (gold["sentence"], rows[["value", "qualifier", "target_period", "text"]].to_dict("records"))


@pytest.mark.parametrize("prov", [pytest.param(p, marks=_mark(PROVINCIAL_XFAIL.get(p["province"])), id=p["province"])
                                  for p in PROVINCIAL])
def test_provincial_previous_status_agrees_with_gold(previous: pd.DataFrame, prov: dict[str, Any]) -> None:
    rows = previous[previous["doc_child"] == prov["target_2026"]["doc_id"]]
    assert len(rows) == 1, rows
    row = rows.iloc[0]
    assert row["doc_parent"] == prov["target_2025"]["doc_id"]
    assert row["years_apart"] == 1 and row["parent_year"] == 2025
    for side, gold in (("parent", prov["target_2025"]), ("child", prov["target_2026"])):
        assert _same(row[f"value_{side}"], gold["value"]), (side, row[f"value_{side}"], gold["sentence"])
        assert _same(row[f"value_high_{side}"], gold["high"]), (side, gold["sentence"])
        assert row[f"qualifier_{side}"] == gold["qualifier"], (side, gold["sentence"])
    assert row["status"] == prov["expected_status"], (row["reason"], prov["why"])


def test_gold_counts() -> None:
    # The files this test reads: 64 national objects (57 reports' annual objects + plan
    # periods), 31 provinces; 21 lowered, 9 equal, 1 escalated.
    assert len(PROVINCIAL) == 31
    statuses = pd.Series([p["expected_status"] for p in PROVINCIAL]).value_counts().to_dict()
    assert statuses == {"lowered": 21, "equal": 9, "escalated": 1}
