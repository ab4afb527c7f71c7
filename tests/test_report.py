"""The main job on the Chengdu corpus: files, codebook, CSV safety, report.html in a browser."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from tests.conftest import CORPORA, ROOT

from plantrace.errors import PlantraceError
from plantrace.report.codebook import CODEBOOK, table_columns
from plantrace.report.outputs import REPORT_TABLES, write_report
from plantrace.report.pipeline import run_report


@pytest.fixture(scope="module")
def result(chengdu):
    return run_report(chengdu)


@pytest.fixture(scope="module")
def out_dir(result, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "chengdu"
    write_report(result, out)
    return out


def test_all_files_written(out_dir: Path) -> None:
    names = {p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file()}
    for stem in ("counts", "mentions", "diff", "targets", "alignment"):
        assert f"{stem}.csv" in names
    assert {"codebook.md", "codebook.json", "report.html"} <= names
    for chart in ("heatmap", "trajectory", "xray", "diff"):
        assert {f"charts/{chart}.svg", f"charts/{chart}.png"} <= names
    assert (out_dir / "charts" / "heatmap.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out_dir / "charts" / "heatmap.svg").read_text(encoding="utf-8").startswith("<svg")


def test_every_csv_column_is_in_the_codebook(out_dir: Path) -> None:
    book = json.loads((out_dir / "codebook.json").read_text(encoding="utf-8"))
    for table, stem in REPORT_TABLES.items():
        with open(out_dir / f"{stem}.csv", encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        assert header == list(book["files"][f"{stem}.csv"]), stem
        assert header == list(table_columns(table, book["docvars"])), stem


def test_codebook_records_provenance(out_dir: Path, result) -> None:
    prov = json.loads((out_dir / "codebook.json").read_text(encoding="utf-8"))["provenance"]
    assert prov["plantrace_version"] == "0.1.0"
    assert prov["lexicon_sha256"] == result.lexicon.sha256
    assert prov["segmenter"] == "pkuseg" and prov["segmenter_model"].startswith("pkuseg")
    assert prov["normaliser_config"]["to_simplified"] is True
    assert len(prov["manifest_sha256"]) == 1
    md = (out_dir / "codebook.md").read_text(encoding="utf-8")
    assert "| `rate_per_10k` |" in md and result.lexicon.sha256 in md


def test_report_values(out_dir: Path) -> None:
    counts = pd.read_csv(out_dir / "counts.csv")
    row = counts[(counts.doc_id == "qingyang_2021_plan_outline") & (counts.concept_id == "park_city")]
    assert int(row["count"].iloc[0]) == 14
    diff = pd.read_csv(out_dir / "diff.csv")
    hq = diff[(diff.doc_a == "chengdu_2020_party_proposal") & (diff.doc_b == "qingyang_2021_plan_outline")
              & (diff.concept_id == "headquarters_economy")]
    assert hq.status.iloc[0] == "added" and hq.comparison.iloc[0] == "level"


def test_existing_folder_needs_force(result, out_dir: Path) -> None:
    before = (out_dir / "counts.csv").stat().st_mtime_ns
    with pytest.raises(PlantraceError, match="output folder exists"):
        write_report(result, out_dir)
    assert (out_dir / "counts.csv").stat().st_mtime_ns == before


def test_excel_bom_parquet_and_formula_cells(result, tmp_path: Path) -> None:
    rigged = result.tables["documents"].copy()
    rigged.loc[0, "title"] = "=HYPERLINK(\"http://x\")"
    result.tables["documents"] = rigged
    try:
        write_report(result, tmp_path / "xl", excel=True, charts=False, html=False)
        data = (tmp_path / "xl" / "documents.csv").read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        assert "'=HYPERLINK" in data.decode("utf-8-sig")
        write_report(result, tmp_path / "pq", fmt="parquet", charts=False, html=False)
        back = pd.read_parquet(tmp_path / "pq" / "counts.parquet")
        assert list(back.columns) == list(CODEBOOK["counts"])
    finally:
        result.tables["documents"]["title"] = result.tables["documents"]["title"]


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                # No network: every request goes to a proxy that does not exist.
                "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
                "--virtual-time-budget=15000", "--enable-logging=stderr", "--v=0"]


@pytest.mark.skipif(_chromium() is None, reason="chromium not installed (make test installs it: apt-get install chromium)")
def test_report_html_renders_in_headless_chromium(out_dir: Path, tmp_path: Path) -> None:
    page = (out_dir / "report.html").resolve()
    html = page.read_text(encoding="utf-8")
    assert "https://" not in re.split(r"<h2[^>]*>Provenance", re.sub(r"(?s)<script type=\"module\">.*?</script>", "", html))[0]
    profile = tmp_path / "profile"
    dom = subprocess.run([_chromium(), *CHROME_FLAGS, f"--user-data-dir={profile}", "--dump-dom",
                          page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    rendered = dom.stdout
    chart_ids = re.findall(r"<div class=.chart. id=.(chart-[a-z]+).", html)
    assert set(chart_ids) >= {"chart-heatmap", "chart-trajectory", "chart-xray", "chart-diff"}
    for cid in chart_ids:
        block = rendered.split(f'id="{cid}"', 1)[1][:20000]
        assert "<svg" in block, f"{cid} did not render"
    errors = re.search(r'<pre id="console-errors" hidden="">(.*?)</pre>', rendered, re.S)
    assert errors is not None and errors.group(1).strip() == ""
    console = [ln for ln in dom.stderr.splitlines() if "CONSOLE" in ln and "rror" in ln]
    assert console == []
    shot = ROOT / ".pytest-artifacts" / "report.png"
    shot.parent.mkdir(exist_ok=True)
    subprocess.run([_chromium(), *CHROME_FLAGS, f"--user-data-dir={profile}", "--window-size=1300,2600",
                    f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120, check=True)
    assert shot.read_bytes()[:4] == b"\x89PNG"


def test_cli_report_writes_and_refuses(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from plantrace.cli import app

    out = tmp_path / "r"
    ok = CliRunner().invoke(app, ["-q", "report", str(CORPORA / "chengdu"), "--out", str(out), "--no-charts"])
    assert ok.exit_code == 0, ok.output
    assert (out / "diff.csv").exists() and not (out / "report.html").exists()
    again = CliRunner().invoke(app, ["-q", "report", str(CORPORA / "chengdu"), "--out", str(out)])
    assert again.exit_code == 2 and "output folder exists" in again.stderr


def test_formulations_csv_in_codebook_and_page(out_dir: Path, result) -> None:
    """Issue 17: formulations.csv and formulation_changes.csv, described column by column,
    and a "New formulations" section per pair with the evidence cited from the raw file."""
    book = json.loads((out_dir / "codebook.json").read_text(encoding="utf-8"))
    for stem in ("formulations", "formulation_changes"):
        frame = pd.read_csv(out_dir / f"{stem}.csv", keep_default_na=False)
        assert len(frame) > 0 and list(frame.columns) == list(book["files"][f"{stem}.csv"])
    changes = pd.read_csv(out_dir / "formulation_changes.csv", keep_default_na=False)
    pairs = {tuple(p) for kind in result.pairs.values() for p in kind}
    assert set(zip(changes.doc_a, changes.doc_b)) == pairs
    page = (out_dir / "report.html").read_text(encoding="utf-8")
    assert "<h2 id='new-formulations'>New formulations</h2>" in page
    assert "chengdu_2020_party_proposal → qingyang_2021_plan_outline" in page
    assert "<mark>总部经济</mark>" in page and "qingyang_2021_plan_outline.txt [" in page


def test_formula_cells_neutralised_in_every_kind_of_text_column() -> None:
    """The CSV writer's guard, vectorised: text that a spreadsheet would run (=, +, -, @,
    tab, CR first) gets an apostrophe in string and mixed object columns; numbers, None
    and plain text are left alone, and the frame passed in is not changed."""
    from plantrace.report.tables import neutralise_formulas

    frame = pd.DataFrame({"text": ["=1+1", "公园城市", None, "-3", "@SUM(A1)"],
                          "mixed": pd.Series([1, "+x", None, "\tcmd", 2.5], dtype=object),
                          "numbers": [-1, 2, 3, 4, 5],
                          "no_strings": pd.Series([None, 1, None, 2, None], dtype=object)})
    out = neutralise_formulas(frame)
    assert out["text"].tolist()[:2] == ["'=1+1", "公园城市"] and out["text"].tolist()[3:] == ["'-3", "'@SUM(A1)"]
    assert pd.isna(out["text"][2])
    assert out["mixed"].tolist()[:2] == [1, "'+x"] and out["mixed"][2] is None
    assert out["mixed"].tolist()[3:] == ["'\tcmd", 2.5]
    assert out["numbers"].tolist() == [-1, 2, 3, 4, 5]
    assert out["no_strings"].tolist() == [None, 1, None, 2, None]
    assert frame["text"][0] == "=1+1"
