"""Notebook charts render without a network (issue 15): the notebooks switch altair to
plantrace's offline SVG renderer, and an executed notebook's outputs reference no
external URL (altair's default renderer loads vega-embed from a CDN)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: A URL outside the page; XML namespaces (w3.org) name a vocabulary and load nothing.
EXTERNAL = re.compile(r"https?://(?!www\.w3\.org/)[^\s\"'<>)]+")
CHART = re.compile(r"\bchart_\w+\(")


def external_urls(nb: nbformat.NotebookNode) -> list[str]:
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            found += EXTERNAL.findall(json.dumps(out.get("data", {})) + json.dumps(out.get("text", "")))
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_renders_offline_before_its_first_chart(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    code = ["".join(c.source) for c in nb.cells if c.cell_type == "code"]
    enable = next(i for i, c in enumerate(code) if "enable_offline_rendering()" in c)
    charts = [i for i, c in enumerate(code) if CHART.search(c) and "import" not in c.splitlines()[-1]]
    assert charts and enable < charts[0], path.name
    assert external_urls(nb) == []  # saved outputs, if any, are offline too


def _run(cells: list[str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    return nb


CHART_CELL = ("import pandas as pd\nfrom plantrace.report.charts import chart_heatmap\n"
              "chart_heatmap(pd.DataFrame({'doc_id': ['成都', '青羊'], 'concept_id': ['park_city'] * 2,"
              " 'label': ['公园城市'] * 2, 'count': [3, 5], 'rate_per_10k': [1.5, 2.5]}))")


def test_an_executed_chart_references_no_external_url() -> None:
    nb = _run(["from plantrace.report.charts import enable_offline_rendering\nenable_offline_rendering()",
               CHART_CELL, "import altair as alt\nalt.renderers.enable('default')", CHART_CELL])
    offline = nb.cells[1].outputs
    assert any("image/svg+xml" in o.get("data", {}) for o in offline)
    assert "公园城市" in json.dumps(offline, ensure_ascii=False)
    cells_offline = nbformat.v4.new_notebook(cells=[nb.cells[0], nb.cells[1]])
    assert external_urls(cells_offline) == []
    # The check can fail: altair's default renderer points at a CDN.
    assert external_urls(nbformat.v4.new_notebook(cells=[nb.cells[3]]))
