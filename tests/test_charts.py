"""Charts: Vega-Lite specs built from the real Chengdu frames, and offline rendering.

The diff and target-comparison frames are built here with the columns those APIs
return: the diff from the real counts of the city proposal (A) and the Qingyang plan
outline (B), the comparison from the real 2025 GDP growth targets.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import plantrace
from plantrace.concepts.lexicon import default_lexicon
from plantrace.measure import corpus_counts, corpus_mentions
from plantrace.report import charts
from plantrace.report.charts import (
    STATUS_COLOURS,
    chart_diff,
    chart_heatmap,
    chart_targets,
    chart_trajectory,
    chart_xray,
    document_order,
    save_chart,
)

A, B = "chengdu_2020_party_proposal", "qingyang_2021_plan_outline"
# Level rank, then year: city 2020; district 2021 (x3, manifest order); new_area 2022.
# new_area and district share LEVEL_RANK 3, so the year puts Tianfu (2022) last.
ORDER = ["chengdu_2020_party_proposal", "qingyang_2021_plan_outline", "qingyang_2021_work_report_summary",
         "xindu_2021_signed_article", "tianfu_2022_development_plan_draft"]


def mark(spec: dict[str, Any]) -> str:
    m = spec["mark"]
    return m if isinstance(m, str) else m["type"]


def rows(chart: Any) -> pd.DataFrame:
    """The records a chart plots (charts carry inline data)."""
    return pd.DataFrame(chart.data.values)


@pytest.fixture(scope="module")
def frames(chengdu: plantrace.Corpus) -> dict[str, pd.DataFrame]:
    return {"counts": corpus_counts(chengdu), "mentions": corpus_mentions(chengdu), "docs": chengdu.to_frame()}


@pytest.fixture(scope="module")
def diff(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """A diff frame of A → B with the real counts; status from presence only."""
    counts = frames["counts"]
    ca = counts[counts["doc_id"] == A].set_index("concept_id")
    cb = counts[counts["doc_id"] == B].set_index("concept_id")
    out = []
    for cid in sorted(set(ca.index) | set(cb.index)):
        a, b = int(ca["count"].get(cid, 0)), int(cb["count"].get(cid, 0))
        status = "added" if a == 0 < b else "dropped" if b == 0 < a else "steady"
        label = (ca if cid in ca.index else cb).loc[cid, "label"]
        out.append({"doc_a": A, "doc_b": B, "concept_id": cid, "label": label, "status": status,
                    "count_a": a, "count_b": b, "rate_a": float(ca["rate_per_10k"].get(cid, 0.0)),
                    "rate_b": float(cb["rate_per_10k"].get(cid, 0.0)), "intensity_a": None, "intensity_b": None,
                    "reasons": "", "evidence_a": "", "evidence_b": ""})
    return pd.DataFrame(out)


@pytest.fixture(scope="module")
def comparison() -> pd.DataFrame:
    """2025 GDP growth targets: national 5%左右 against five provinces' (real values)."""
    provinces = [("北京市", 5.0, "左右", "equal"), ("四川省", 5.5, "以上", "escalated"),
                 ("西藏自治区", 7.0, "以上", "escalated"), ("青海省", 4.5, "左右", "lowered"),
                 ("海南省", 6.0, "以上", "escalated")]
    return pd.DataFrame([
        {"indicator_id": "gdp_growth", "year": 2025, "region": r, "value_parent": 5.0, "qualifier_parent": "左右",
         "value_child": v, "qualifier_child": q, "status": s, "reason": f"child {v:g}{q} vs parent 5左右"}
        for r, v, q, s in provinces
    ] + [{"indicator_id": "cpi", "year": 2025, "region": "北京市", "value_parent": 2.0, "qualifier_parent": "左右",
          "value_child": 2.0, "qualifier_child": "左右", "status": "equal", "reason": ""}])


# --- document order -----------------------------------------------------------------------


def test_document_order_is_level_then_year(frames: dict[str, pd.DataFrame]) -> None:
    assert document_order(frames["docs"]) == ORDER
    # The same from the counts' metadata columns, in any input order.
    assert document_order(frames["counts"].iloc[::-1]) == [d for d in ORDER if d in set(frames["counts"]["doc_id"])]


# --- heatmap ------------------------------------------------------------------------------


def test_heatmap_spec(frames: dict[str, pd.DataFrame]) -> None:
    chart = chart_heatmap(frames["counts"], docs=frames["docs"])
    spec = chart.to_dict()
    assert mark(spec) == "rect"
    enc = spec["encoding"]
    assert enc["x"]["field"] == "doc_id" and enc["x"]["sort"] == ORDER
    assert enc["x"]["sort"][0] == A and enc["x"]["sort"][-1] == "tianfu_2022_development_plan_draft"
    assert enc["y"]["field"] == "label" and len(enc["y"]["sort"]) == 30
    # Most frequent first: 公园城市 (70 body mentions with its sub-concepts), then 高质量发展.
    assert enc["y"]["sort"][:2] == ["公园城市", "高质量发展"]
    assert enc["color"]["field"] == "rate_per_10k" and enc["color"]["condition"]["value"] == "#f7f7f7"
    assert {"count", "rate_per_10k", "label", "doc_id"} <= {t["field"] for t in enc["tooltip"]}
    data = rows(chart)
    assert len(data) == 30 * 5  # full grid
    hq = data[(data["doc_id"] == A) & (data["label"] == "总部经济")]
    assert hq[["count", "rate_per_10k"]].values.tolist() == [[0, 0.0]]


def test_heatmap_top_and_documents_without_counts(frames: dict[str, pd.DataFrame]) -> None:
    counts = frames["counts"][frames["counts"]["doc_id"] != "xindu_2021_signed_article"]
    chart = chart_heatmap(counts, top=5, docs=frames["docs"])
    assert chart.to_dict()["encoding"]["x"]["sort"] == ORDER
    data = rows(chart)
    assert len(data) == 5 * 5
    assert (data.loc[data["doc_id"] == "xindu_2021_signed_article", "count"] == 0).all()
    # Without docs only documents in the counts are shown.
    assert "xindu_2021_signed_article" not in chart_heatmap(counts, top=5).to_dict()["encoding"]["x"]["sort"]


# --- trajectory ---------------------------------------------------------------------------


def test_trajectory_has_zero_rows(frames: dict[str, pd.DataFrame]) -> None:
    chart = chart_trajectory(frames["counts"], ["rural_revitalization", "公园城市"], docs=frames["docs"])
    spec = chart.to_dict()
    assert [mark(layer) for layer in spec["layer"]] == ["line", "point"]
    line, points = spec["layer"]
    assert line["encoding"]["y"]["aggregate"] == "mean" and line["encoding"]["x"]["field"] == "year"
    assert points["encoding"]["y"]["field"] == "rate_per_10k"
    assert line["encoding"]["x"]["axis"]["values"] == [2020, 2021, 2022]
    data = rows(chart)
    assert len(data) == 2 * 5
    rural = data[data["concept_id"] == "rural_revitalization"].set_index("doc_id")
    # 乡村振兴 is in the city proposal, Xindu and Tianfu only: the two Qingyang documents are zeros.
    assert rural.loc[["qingyang_2021_plan_outline", "qingyang_2021_work_report_summary"], "count"].tolist() == [0, 0]
    assert rural.loc[["qingyang_2021_plan_outline", "qingyang_2021_work_report_summary"], "rate_per_10k"].tolist() == [0, 0]
    assert rural.loc[A, "count"] == 5
    assert set(data["label"]) == {"乡村振兴", "公园城市"}


def test_trajectory_by_level_and_unmentioned_concept(frames: dict[str, pd.DataFrame]) -> None:
    # 中国式现代化 is in the lexicon but in no Chengdu document: all zeros, not an error.
    chart = chart_trajectory(frames["counts"], "中国式现代化", by="level", docs=frames["docs"])
    x = chart.to_dict()["layer"][0]["encoding"]["x"]
    assert x["field"] == "level" and x["sort"] == ["city", "new_area", "district"]
    data = rows(chart)
    assert len(data) == 5 and (data["count"] == 0).all() and set(data["concept_id"]) == {"chinese_modernization"}
    with pytest.raises(plantrace.PlantraceError, match="unknown concept"):
        chart_trajectory(frames["counts"], ["不存在的概念"], docs=frames["docs"])
    with pytest.raises(plantrace.PlantraceError, match="unknown chain"):
        chart_trajectory(frames["counts"], ["公园城市"], by="region")  # type: ignore[arg-type]


# --- x-ray --------------------------------------------------------------------------------


def test_xray_positions(chengdu: plantrace.Corpus, frames: dict[str, pd.DataFrame]) -> None:
    chart = chart_xray(frames["mentions"], chengdu, ["公园城市", "new_economy"])
    spec = chart.to_dict()
    assert mark(spec["spec"]) == "tick"
    assert spec["facet"]["row"]["field"] == "label" and spec["facet"]["row"]["sort"] == ["公园城市", "新经济"]
    enc = spec["spec"]["encoding"]
    assert enc["x"]["field"] == "position" and enc["x"]["scale"]["domain"] == [0, 1]
    assert enc["y"]["sort"] == ORDER and enc["y"]["scale"]["domain"] == ORDER
    data = rows(chart)
    assert data["position"].between(0, 1).all()
    # Body mentions only, with sub-concepts rolled up: exactly what corpus_counts counts.
    counts = frames["counts"].set_index(["doc_id", "concept_id"])["count"]
    for (doc_id, cid), n in data.groupby(["doc_id", "concept"]).size().items():
        assert counts[(doc_id, cid)] == n
    assert data.groupby("concept").size().to_dict() == {"park_city": 70, "new_economy": 56}
    # Tianfu's body starts after ~7,000 characters of front matter; the first tick is in
    # the body, so relative to the body span it lies near 0, not near 0.2.
    tianfu = data[(data["doc_id"] == "tianfu_2022_development_plan_draft") & (data["concept"] == "park_city")]
    assert tianfu["position"].min() < 0.1


def test_xray_from_document_frame(frames: dict[str, pd.DataFrame]) -> None:
    # Without body spans the positions are relative to each document's last mention.
    chart = chart_xray(frames["mentions"], frames["docs"], "park_city", rollup=False)
    data = rows(chart)
    assert data["position"].between(0, 1).all() and set(data["concept"]) == {"park_city"}
    assert set(data["matched"]) == {"park_city"}


# --- diff ---------------------------------------------------------------------------------


def test_diff_dumbbell(diff: pd.DataFrame) -> None:
    chart = chart_diff(diff)
    spec = chart.to_dict()
    assert [mark(layer) for layer in spec["layer"]] == ["rule", "point", "point"]
    rule, point_a, point_b = spec["layer"]
    assert (rule["encoding"]["x"]["field"], rule["encoding"]["x2"]["field"]) == ("rate_a", "rate_b")
    assert point_a["mark"]["filled"] is False and point_b["mark"]["filled"] is True
    colour = rule["encoding"]["color"]
    assert colour["field"] == "status"
    assert colour["scale"]["domain"] == ["added", "steady", "dropped"]
    assert colour["scale"]["range"] == [STATUS_COLOURS[s] for s in ("added", "steady", "dropped")]
    assert spec["title"]["text"] == f"{A} → {B}"
    data = rows(chart)
    assert len(data) == 40  # top=40 by size of the change
    order = rule["encoding"]["y"]["sort"]
    statuses = data.set_index("label").loc[order, "status"].tolist()
    assert statuses == sorted(statuses, key=["added", "steady", "dropped"].index)
    assert "总部经济" in order[:4]  # added in Qingyang: 0 → 21 mentions
    assert len(rows(chart_diff(diff, top=None))) == len(diff)


def test_diff_needs_one_pair(diff: pd.DataFrame) -> None:
    two = pd.concat([diff, diff.assign(doc_b="xindu_2021_signed_article")])
    with pytest.raises(plantrace.PlantraceError, match="one pair"):
        chart_diff(two)


# --- targets ------------------------------------------------------------------------------


def test_targets_chart(comparison: pd.DataFrame) -> None:
    chart = chart_targets(comparison)
    spec = chart.to_dict()
    assert [mark(layer) for layer in spec["layer"]] == ["rule", "text", "point", "text"]
    rule, _, dots, labels = spec["layer"]
    assert rule["encoding"]["x"]["field"] == "value_parent"
    assert rule["data"]["name"] in spec["datasets"]
    assert spec["datasets"][rule["data"]["name"]] == [
        {"value_parent": 5.0, "parent_target": "5左右", "label": "parent 5左右"}]
    assert dots["encoding"]["x"]["field"] == "value_child"
    assert dots["encoding"]["y"]["sort"] == ["西藏自治区", "海南省", "四川省", "北京市", "青海省"]
    colour = dots["encoding"]["color"]
    assert colour["field"] == "status" and colour["scale"]["domain"] == ["escalated", "equal", "lowered"]
    assert colour["scale"]["range"][0] == STATUS_COLOURS["escalated"] == STATUS_COLOURS["escalated"]
    assert labels["encoding"]["text"]["field"] == "child_target"
    texts = spec["datasets"][dots["data"]["name"]]
    assert [t["child_target"] for t in texts] == ["7以上", "6以上", "5.5以上", "5左右", "4.5左右"]
    assert "gdp_growth 2025" in spec["title"]["text"]


def test_targets_filter(comparison: pd.DataFrame) -> None:
    assert len(rows(chart_targets(comparison, indicator="cpi").layer[2])) == 1
    with pytest.raises(plantrace.PlantraceError, match="no comparison rows"):
        chart_targets(comparison, indicator="unemployment")
    with pytest.raises(plantrace.PlantraceError, match="no gdp_growth comparison for 2024"):
        chart_targets(comparison, year=2024)


# --- saving -------------------------------------------------------------------------------


def test_save_svg_png_json(tmp_path: Path, frames: dict[str, pd.DataFrame], comparison: pd.DataFrame) -> None:
    heat = chart_heatmap(frames["counts"], top=8, docs=frames["docs"])
    svg = save_chart(heat, tmp_path / "out" / "heat.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg")
    assert "公园城市" in svg and "Noto Sans CJK SC" in svg  # text with a CJK font stack for the viewer
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # no CJK font on this machine: still a PNG
        png = save_chart(chart_targets(comparison), tmp_path / "targets.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    spec = json.loads(save_chart(heat, tmp_path / "heat.json").read_text(encoding="utf-8"))
    assert spec["mark"]["type"] == "rect"
    # Atomic writes leave no temporary files behind.
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["heat.json", "heat.svg", "targets.png"]


def test_save_html_is_self_contained(tmp_path: Path, diff: pd.DataFrame) -> None:
    html = save_chart(chart_diff(diff, top=5), tmp_path / "diff.html").read_text(encoding="utf-8")
    assert "<html" in html[:300].lower()
    # Vega's JavaScript is in the page: no script or stylesheet is fetched from anywhere.
    assert re.search(r"<script[^>]*\bsrc=", html) is None
    assert re.search(r"<link[^>]*\bhref=", html) is None
    assert "cdn.jsdelivr" not in html and "vegaEmbed" in html


def test_save_png_warns_without_cjk_font(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "cjk_font_available", lambda: False)
    counts = pd.DataFrame({"doc_id": ["成都"], "concept_id": ["park_city"], "label": ["公园城市"],
                           "count": [3], "rate_per_10k": [1.52]})
    with pytest.warns(RuntimeWarning, match="fonts-noto-cjk"):
        save_chart(chart_heatmap(counts), tmp_path / "h.png")


def test_save_unknown_suffix(tmp_path: Path) -> None:
    counts = pd.DataFrame({"doc_id": ["成都"], "concept_id": ["park_city"], "label": ["公园城市"],
                           "count": [3], "rate_per_10k": [1.52]})
    with pytest.raises(plantrace.PlantraceError, match=r"use \.svg, \.png"):
        save_chart(chart_heatmap(counts), tmp_path / "h.gif")
    assert not list(tmp_path.iterdir())


def test_lexicon_labels_resolve(frames: dict[str, pd.DataFrame]) -> None:
    lex = default_lexicon()
    chart = chart_trajectory(frames["counts"], ["park_city", "公园城市", lex.concepts["greenway"].label],
                             docs=frames["docs"])
    # An id and its label name one concept once.
    assert rows(chart).groupby("concept_id").size().to_dict() == {"greenway": 5, "park_city": 5}


def test_diff_chart_colour_position_and_tooltip_agree(chengdu: plantrace.Corpus) -> None:
    """Issue 14: a dot that rises is never drawn in the softened colour on a significant rise,
    the line says whether the rate change is significant, and the tooltip carries the reasons."""
    real = chengdu.diff(pair=(A, B))
    chart = chart_diff(real, top=None)
    data = rows(chart).set_index("concept_id")
    spec = chart.to_dict()
    assert spec["layer"][0]["encoding"]["strokeDash"]["field"] == "rate_change"
    tips = {t["field"] for t in spec["layer"][2]["encoding"]["tooltip"]}
    assert {"reasons", "p", "rate_change", "status"} <= tips
    sig = data[data["rate_change"] == "significant"]
    assert not ((sig["status"] == "softened") & (sig["change"] > 0)).any()
    assert not ((sig["status"] == "escalated") & (sig["change"] < 0)).any()
    # 绿道: 8 → 27 mentions, 4.05 → 6.85 per 10k (p=0.18): a rising dot, dashed, and steady —
    # no longer softened by a heading vote between 61 and 18 headings.
    g = data.loc["greenway"]
    assert (g["status"], g["rate_a"], g["rate_b"], g["rate_change"]) == ("steady", 4.0521, 6.8451, "not significant")
    assert "not compared: heading structures differ (61 vs 18 headings)" in g["reasons"]
