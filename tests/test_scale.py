"""A corpus of many documents in an 80-column terminal and a 1,400-px browser window.

The synthetic corpus (national reports and NPC resolutions of ten years, twenty provinces
of two years: 60 documents with long ids) is small enough to build in seconds, and large
enough that the old tables became rows of "…" and the old page ran thousands of pixels
off the right edge.
"""

from __future__ import annotations

import csv
import importlib
import json
import re
import subprocess
from pathlib import Path

import pytest
from rich.console import Console
from tests.conftest import CORPORA
from tests.test_report import CHROME_FLAGS, _chromium

from plantrace.report.outputs import LARGE_CORPUS, diff_pair_order, write_report
from plantrace.report.pipeline import run_report

console_mod = importlib.import_module("plantrace.report.console")

SENTENCES = ["坚持高质量发展，推进新型工业化。", "全面推进乡村振兴，加快农业现代化。", "实施区域协调发展战略。",
             "大力发展数字经济和人工智能。", "推动绿色发展，促进人与自然和谐共生。", "积极扩大内需，提振消费。",
             "深化国有企业改革。", "推进新型城镇化和城市更新。", "加快建设现代化产业体系。", "守牢粮食安全底线。"]
YEARS = range(2016, 2026)


def _write_corpus(root: Path) -> list[Path]:
    """A national and a provincial corpus folder; returns them."""
    fields = ["doc_id", "file", "title", "issuer", "level", "region", "parent_region", "year", "date",
              "doc_type", "script"]
    national, provincial = root / "national", root / "provincial"
    for folder, rows in ((national, []), (provincial, [])):
        (folder / "texts").mkdir(parents=True)
        if folder is national:
            for i, year in enumerate(YEARS):
                for kind, n in (("government_work_report", 8), ("npc_resolution_on_gwr", 1)):
                    doc_id = f"{'gwr' if kind.startswith('gov') else 'npc_resolution_on_gwr'}_national_{year}"
                    body = "".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(n))
                    rows.append((doc_id, f"{body}国内生产总值增长5%左右。", kind, "national", "中华人民共和国", "", year))
        else:
            for year in (2024, 2025):
                for p in range(20):
                    body = "".join(SENTENCES[(p + k) % len(SENTENCES)] for k in range(1 + p % 7))
                    target = 5 + (p % 3) * 0.5
                    rows.append((f"gwr_{year}_province_with_a_long_name_{p:02d}", f"{body}地区生产总值增长{target}%左右。",
                                 "government_work_report", "provincial", f"某某省{p:02d}", "中华人民共和国", year))
        with open(folder / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(fields)
            for doc_id, text, kind, level, region, parent, year in rows:
                (folder / "texts" / f"{doc_id}.txt").write_text(f"{year}年政府工作报告\n各位代表：\n{text}\n",
                                                                encoding="utf-8")
                out.writerow([doc_id, f"texts/{doc_id}.txt", f"{year}年{region}政府工作报告", f"{region}人民政府",
                              level, region, parent, year, "", kind, "simplified"])
    return [national, provincial]


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    folders = _write_corpus(tmp_path_factory.mktemp("big"))
    return run_report(folders, store=False)


@pytest.fixture()
def narrow(monkeypatch) -> Console:
    """The console module's Console, 80 columns wide and recording."""
    fake = Console(width=80, record=True, force_terminal=False, color_system=None)
    monkeypatch.setattr(console_mod, "console", fake)
    return fake


def _assert_fits(text: str, width: int = 80) -> None:
    from rich.cells import cell_len

    lines = text.splitlines()
    assert lines, "nothing printed"
    for line in lines:
        assert cell_len(line) <= width, f"wider than {width}: {line!r}"
        cells = [c.strip() for c in re.split(r"[│┃]", line)[1:-1]]
        # A squeezed rich table draws its cells as "…": never a cell that is only that.
        assert "…" not in cells, f"a cell squeezed to …: {line!r}"
    # Table borders close on the right: no table runs past the width and gets cut.
    for line in lines:
        if line.startswith(("┏", "┡", "└", "│", "┃")):
            assert line.rstrip()[-1] in "┓┩┘│┃", f"table cut at the right edge: {line!r}"


def test_big_corpus_has_many_documents(big) -> None:
    assert len(big.tables["documents"]) == 60 > LARGE_CORPUS


def test_corpus_table_fits_80_columns(big, narrow: Console) -> None:
    console_mod.print_corpus_table(big.tables["documents"])
    text = narrow.export_text()
    _assert_fits(text)
    assert "gwr_2025_province_with_a_long_name_19" in text  # ids whole, not folded
    assert "GWR = government_work_report" in text and "not shown at 80 columns" in text


def test_frames_diff_and_targets_fit_80_columns(big, narrow: Console) -> None:
    counts = big.tables["counts"][["doc_id", "concept_id", "label", "count", "rate_per_10k"]]
    console_mod.print_frame(counts, title="counts")
    targets = big.tables["targets"][["doc_id", "indicator_id", "value", "value_high", "qualifier", "kind", "text"]]
    console_mod.print_frame(targets, title="targets", priority=["doc_id", "indicator_id", "value", "qualifier", "text"])
    diff = big.tables["diff"]
    first = diff[["doc_a", "doc_b"]].iloc[0]
    console_mod.print_diff(diff[(diff["doc_a"] == first["doc_a"]) & (diff["doc_b"] == first["doc_b"])])
    console_mod.print_top_concepts(big.tables["counts"])
    console_mod.print_target_comparison(big.tables["target_comparison"])
    text = narrow.export_text()
    _assert_fits(text)
    assert "国内生产总值增" in text  # the target's sentence is kept over less useful columns


def test_report_summary_is_one_screen(big, narrow: Console, tmp_path: Path) -> None:
    console_mod.print_report(big, out=tmp_path / "out", files=20)
    text = narrow.export_text()
    _assert_fits(text)
    assert len(text.splitlines()) <= 50
    for expected in ("60 documents", "national", "provincial", "By level:", "By year:", "Targets against the parent",
                     "gdp_growth escalated", "wrote 20 files", "--verbose"):
        assert expected in text, expected


def test_cli_report_summary_and_verbose_at_80_columns(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from plantrace.cli import app

    short = CliRunner().invoke(app, ["--no-store", "report", str(CORPORA / "chengdu"), "--out", str(tmp_path / "a"),
                                     "--no-charts"], env={"COLUMNS": "80"})
    assert short.exit_code == 0, short.output
    assert "wrote" in short.stdout and "--verbose" in short.stdout
    assert "Top 5 concepts per document" not in short.stdout
    full = CliRunner().invoke(app, ["--no-store", "report", str(CORPORA / "chengdu"), "--out", str(tmp_path / "b"),
                                    "--no-charts", "--verbose"], env={"COLUMNS": "80"})
    assert full.exit_code == 0, full.output
    assert "Top 5 concepts per document" in full.stdout


def test_help_shows_flags_as_flags() -> None:
    from typer.testing import CliRunner

    from plantrace.cli import app

    out = CliRunner().invoke(app, ["report", "--help"], env={"COLUMNS": "100"}).stdout
    assert "--verbose" in out and "<bool>" not in out


def test_diff_pairs_most_changed_first(big) -> None:
    order = diff_pair_order(big)
    diff = big.tables["diff"]
    moved = diff[diff["status"] != "steady"]
    weights = [moved[(moved["comparison"] == k) & (moved["doc_a"] == a) & (moved["doc_b"] == b)]["g2"].sum()
               for k, a, b in order]
    assert len(order) == len(diff[["comparison", "doc_a", "doc_b"]].drop_duplicates())
    assert weights == sorted(weights, reverse=True)


@pytest.mark.skipif(_chromium() is None, reason="chromium not installed (make test installs it: apt-get install chromium)")
def test_big_report_page_fits_a_1400_px_window(big, tmp_path: Path) -> None:
    out = tmp_path / "big"
    write_report(big, out, charts=False)
    page = (out / "report.html").read_text(encoding="utf-8")
    # The selector lists every pair; each pair type has its evidence part and a contents entry.
    assert page.count("<option value=") == len(diff_pair_order(big))
    assert "id='evidence-government-work-report'" in page and "id='evidence-npc-resolution-on-gwr'" in page
    assert "href='#evidence-npc-resolution-on-gwr'" in page
    probe = ("<script>window.addEventListener('load',function(){setTimeout(function(){var d=document.createElement("
             "'pre');d.id='probe';var s=document.getElementById('diff-pair');s.selectedIndex=1;"
             "s.dispatchEvent(new Event('change'));setTimeout(function(){var r=document.documentElement;"
             "d.textContent=JSON.stringify({sw:r.scrollWidth,cw:r.clientWidth,svgs:[...document.querySelectorAll("
             "'.chart')].map(function(c){return c.querySelectorAll('svg').length;}),title:document.querySelector("
             "'#chart-diff svg') ? document.querySelector('#chart-diff').textContent.slice(0,400) : '',"
             "errors:document.getElementById('console-errors').textContent});document.body.appendChild(d);},"
             "2000);},3000);});</script>")
    cut = page.rindex("</body>")
    probed = out / "probed.html"
    probed.write_text(page[:cut] + probe + page[cut:], encoding="utf-8")
    dom = subprocess.run([_chromium(), *CHROME_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                          "--window-size=1400,1000", "--dump-dom", probed.as_uri()],
                         capture_output=True, text=True, timeout=180)
    found = re.search(r'<pre id="probe">([^<]*)</pre>', dom.stdout)
    assert found is not None, dom.stderr[-2000:]
    probe_result = json.loads(found.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
    assert probe_result["errors"] == ""
    assert all(n >= 1 for n in probe_result["svgs"]), probe_result["svgs"]
    # No horizontal page overflow: wide charts scroll inside their own box.
    assert probe_result["sw"] <= 1400 and probe_result["sw"] <= probe_result["cw"] + 1, probe_result
    # The selector redrew the diff chart with the second pair.
    _, a, b = diff_pair_order(big)[1]
    assert f"{a} → {b}" in probe_result["title"]
