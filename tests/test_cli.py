"""The ``plantrace`` command line on the real Chengdu corpus: output, exit codes, and
user mistakes reported as one line with exit code 2 and nothing written."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from plantrace.cli import app

ROOT = Path(__file__).resolve().parents[1]
CHENGDU = ROOT / "corpora" / "chengdu"
CHENGDU_IDS = ["chengdu_2020_party_proposal", "qingyang_2021_plan_outline",
               "qingyang_2021_work_report_summary", "xindu_2021_signed_article",
               "tianfu_2022_development_plan_draft"]
CONSOLE_SCRIPT = Path(sys.executable).parent / "plantrace"
# A tone-marked pinyin gloss in parentheses, as in 國(guó) / 區(qū).
GLOSS = re.compile(r"\([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\)")

runner = CliRunner()


def run(*args: str | Path):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args])


def assert_user_error(result, *fragments: str) -> str:  # type: ignore[no-untyped-def]
    """Exit code 2, one line on stderr starting 'plantrace: error:', no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert result.stdout == ""
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("plantrace: error: "), err
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for f in fragments:
        assert f in err, (f, err)
    return err


def fingerprint(folder: Path) -> dict[str, tuple[int, str]]:
    return {p.name: (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.iterdir())}


def bad_manifest_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "bad"
    root.mkdir()
    (root / "a.txt").write_text("各位代表：\n推动成渝地区双城经济圈建设，打造西部经济中心。\n", encoding="utf-8")
    (root / "manifest.csv").write_text(
        "doc_id,file,level,region,year\n"
        "a,a.txt,city,成都市,2021\n"
        "b,a.txt,town,成都市,20x1\n",
        encoding="utf-8")
    return root


# ---- corpus ------------------------------------------------------------------------------

def test_corpus_json_lists_the_five_documents() -> None:
    result = run("-q", "corpus", CHENGDU, "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["doc_id"] for r in rows] == CHENGDU_IDS
    by_id = {r["doc_id"]: r for r in rows}
    assert by_id["xindu_2021_signed_article"]["script_used"] == "traditional"
    assert by_id["xindu_2021_signed_article"]["encoding"] == "utf-8"
    assert by_id["tianfu_2022_development_plan_draft"]["level"] == "new_area"


def test_console_script_subprocess() -> None:
    assert CONSOLE_SCRIPT.is_file()
    proc = subprocess.run([str(CONSOLE_SCRIPT), "-q", "corpus", "corpora/chengdu", "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert [r["doc_id"] for r in json.loads(proc.stdout)] == CHENGDU_IDS


def test_console_script_bad_corpus_path(tmp_path: Path) -> None:
    proc = subprocess.run([str(CONSOLE_SCRIPT), "corpus", str(tmp_path / "nowhere")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stdout == ""
    # .strip(): rich's transient progress bar leaves a blank line on a non-terminal stderr.
    assert proc.stderr.strip() + "\n" == (f"plantrace: error: {tmp_path / 'nowhere'}: corpus folder not found "
                           "(fix: give a folder that holds manifest.csv)\n")


# ---- clean -------------------------------------------------------------------------------

def test_clean_one_document_is_simplified_without_glosses() -> None:
    raw = (CHENGDU / "xindu_2021_signed_article.txt").read_text(encoding="utf-8")
    assert "構(gòu)建區(qū)域協(xié)同樞紐" in raw and "(guó)" in raw
    result = run("-q", "clean", CHENGDU, "--doc", "xindu_2021_signed_article")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "构建区域协同枢纽" in out
    assert "(guó)" not in out and not GLOSS.search(out)
    assert "構" not in out and "區" not in out
    # Only the body: the byline 許興國 (front matter) is not printed.
    assert out.startswith("成都市委十三届八次全会提出了“十四五”时期发展的总体要求")


def test_clean_explain_json_counts_532_glosses() -> None:
    raw = (CHENGDU / "xindu_2021_signed_article.txt").read_text(encoding="utf-8")
    assert len(GLOSS.findall(raw)) == 532  # counted in the raw file, independently
    result = run("-q", "clean", CHENGDU, "--doc", "xindu_2021_signed_article", "--explain", "--json")
    assert result.exit_code == 0, result.output
    steps = {r["step"]: r for r in json.loads(result.stdout)}
    assert {r["doc_id"] for r in steps.values()} == {"xindu_2021_signed_article"}
    assert steps["remove_pinyin_glosses"]["changes"] == 532
    assert steps["remove_cjk_spaces"]["changes"] == 0
    assert steps["to_simplified"]["changes"] > 0


def test_clean_out_writes_one_file_per_document_and_refuses_to_overwrite(tmp_path: Path, chengdu) -> None:
    out = tmp_path / "clean"
    result = run("-q", "clean", CHENGDU, "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert sorted(p.name for p in out.iterdir()) == sorted([".plantrace-output", *(f"{d}.txt" for d in CHENGDU_IDS)])
    for doc in chengdu:
        assert (out / f"{doc.doc_id}.txt").read_text(encoding="utf-8") == doc.body_text.strip() + "\n"
    assert "构建区域协同枢纽" in (out / "xindu_2021_signed_article.txt").read_text(encoding="utf-8")

    before = fingerprint(out)
    result = run("-q", "clean", CHENGDU, "--out", out)
    assert_user_error(result, "output file exists", str(out / "chengdu_2020_party_proposal.txt"), "--force")
    assert fingerprint(out) == before

    # One clash is enough to write nothing at all.
    (out / "xindu_2021_signed_article.txt").unlink()
    (out / "chengdu_2020_party_proposal.txt").write_text("旧文件\n", encoding="utf-8")
    before = fingerprint(out)
    assert run("-q", "clean", CHENGDU, "--out", out).exit_code == 2
    assert fingerprint(out) == before

    result = run("-q", "clean", CHENGDU, "--out", out, "--force")
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.txt"))) == 5
    assert (out / "chengdu_2020_party_proposal.txt").read_text(encoding="utf-8") != "旧文件\n"


def test_clean_unknown_doc_id() -> None:
    err = assert_user_error(run("-q", "clean", CHENGDU, "--doc", "nope"), "no document with doc_id 'nope'")
    assert "xindu_2021_signed_article" in err  # lists the ids to choose from


# ---- count -------------------------------------------------------------------------------

def test_count_out_csv_and_refusal_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "counts.csv"
    result = run("-q", "count", CHENGDU, "--out", target)
    assert result.exit_code == 0, result.output
    with open(target, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    key = {(r["doc_id"], r["concept_id"]): r for r in rows}
    # 14 = every 公园城市 in the Qingyang outline (grep -o 公园城市 → 14): 9 bare,
    # 4 in 公园城市示范区 and 1 in 美丽宜居公园城市 (children roll up to park_city).
    assert (CHENGDU / "qingyang_2021_plan_outline.txt").read_text(encoding="utf-8").count("公园城市") == 14
    park = key[("qingyang_2021_plan_outline", "park_city")]
    assert (park["count"], park["count_own"], park["label"]) == ("14", "9", "公园城市")
    assert key[("qingyang_2021_plan_outline", "park_city_demo_zone")]["count"] == "4"
    assert key[("tianfu_2022_development_plan_draft", "park_city")]["count"] == "40"
    assert {r["doc_id"] for r in rows} == set(CHENGDU_IDS)

    before = fingerprint(tmp_path)
    result = run("-q", "count", CHENGDU, "--out", target)
    assert_user_error(result, f"{target}: output file exists", "--force")
    assert fingerprint(tmp_path) == before


def test_count_with_bad_corpus_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "counts.csv"
    assert_user_error(run("-q", "count", tmp_path / "nowhere", "--out", target), "corpus folder not found")
    assert not target.exists()


def test_count_refused_run_writes_no_output_at_all(tmp_path: Path) -> None:
    target = tmp_path / "counts.csv"
    target.write_text("existing\n", encoding="utf-8")
    result = run("-q", "count", CHENGDU, "--mentions", tmp_path / "mentions.csv", "--out", target)
    assert result.exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counts.csv"]


# ---- kwic --------------------------------------------------------------------------------

def test_kwic_park_city() -> None:
    result = run("-q", "kwic", CHENGDU, "park_city", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    per_doc = {d: sum(r["doc_id"] == d for r in rows) for d in CHENGDU_IDS}
    # The same numbers as the body counts: 11 + 14 + 4 + 1 + 40.
    assert per_doc == {"chengdu_2020_party_proposal": 11, "qingyang_2021_plan_outline": 14,
                       "qingyang_2021_work_report_summary": 4, "xindu_2021_signed_article": 1,
                       "tianfu_2022_development_plan_draft": 40}
    assert all("公园城市" in r["keyword"] for r in rows)
    # Citations quote the raw traditional text of the city proposal.
    assert all("公園城市" in r["raw_keyword"] for r in rows if r["doc_id"] == "chengdu_2020_party_proposal")

    table = run("-q", "kwic", CHENGDU, "park_city", "--window", "5")
    assert table.exit_code == 0, table.output
    assert "KWIC park_city" in table.stdout and "公园城市" in table.stdout


def test_kwic_unknown_concept_id() -> None:
    assert_user_error(run("-q", "kwic", CHENGDU, "no_such_concept"), "unknown concept id 'no_such_concept'")


# ---- bad corpora and lexicons --------------------------------------------------------------

@pytest.mark.parametrize("command", [["corpus"], ["clean"], ["count"], ["report"], ["words"]])
def test_bad_corpus_path(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "no_such_corpus"
    assert_user_error(run("-q", *command, missing), f"{missing}: corpus folder not found")


def test_corpus_folder_without_manifest(tmp_path: Path) -> None:
    assert_user_error(run("-q", "corpus", tmp_path), f"{tmp_path}: no manifest.csv")


def test_manifest_errors_name_the_file_and_row(tmp_path: Path) -> None:
    root = bad_manifest_corpus(tmp_path)
    result = run("-q", "corpus", root)
    assert result.exit_code == 2 and result.stdout == "" and "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    # A header line, then one line per problem, each naming file and row.
    assert lines[0] == f"plantrace: error: 3 problems in {root / 'manifest.csv'}:"
    assert lines[1].startswith(f"{root / 'manifest.csv'}:3: level 'town'")
    assert len(lines) == 4


def test_manifest_errors_are_all_shown(tmp_path: Path) -> None:
    root = bad_manifest_corpus(tmp_path)
    result = run("-q", "corpus", root)
    assert result.exit_code == 2
    assert f"{root / 'manifest.csv'}:3: year '20x1'" in result.stderr
    assert f"{root / 'manifest.csv'}:3: file 'a.txt' is listed twice" in result.stderr


def test_lexicon_check_alias_in_two_concepts(tmp_path: Path) -> None:
    lex = tmp_path / "bad.yaml"
    lex.write_text(
        "name: bad\n"
        "version: '1'\n"
        "concepts:\n"
        "  - id: park_city\n"             # line 4
        "    label: 公园城市\n"
        "    aliases: [公园城市]\n"
        "  - id: green_city\n"            # line 7
        "    label: 绿色城市\n"
        "    aliases: [绿色城市, 公園城市]\n",  # traditional: normalised to the same alias
        encoding="utf-8")
    result = run("lexicon", "check", lex)
    assert result.exit_code == 2
    assert result.stdout == "" and "Traceback" not in result.output
    assert result.stderr.strip() == (
        f"{lex}:7: alias '公园城市' of 'green_city' is also an alias of 'park_city' (line 4) "
        "(fix: keep it under one concept, or make one the other's parent)")


def test_lexicon_check_csv_alias_in_two_concepts(tmp_path: Path) -> None:
    lex = tmp_path / "bad.csv"
    lex.write_text("concept,alias\npark,公园城市\ngreen,绿色城市\ngreen,公园城市\n", encoding="utf-8")
    result = run("lexicon", "check", lex)
    assert result.exit_code == 2
    assert result.stderr.strip().startswith(f"{lex}:3: alias '公园城市' of 'green' is also an alias of 'park'")


def test_lexicon_check_default_lexicon_passes() -> None:
    result = run("lexicon", "check", ROOT / "toolkit" / "plantrace" / "data" / "planning_concepts.yaml", "--json")
    assert result.exit_code == 0, result.output
    (summary,) = json.loads(result.stdout)
    assert summary["name"] == "planning_concepts"
    assert summary["sha256"] == hashlib.sha256(
        (ROOT / "toolkit" / "plantrace" / "data" / "planning_concepts.yaml").read_bytes()).hexdigest()


# ---- help ----------------------------------------------------------------------------------

def _leaf_commands(group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    # Typer vendors its own click: recognise groups by their 'commands', not by class.
    out: list[tuple[str, ...]] = []
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            out.extend(_leaf_commands(cmd, prefix + (name,)))
        else:
            out.append(prefix + (name,))
    return out


LEAVES = _leaf_commands(typer.main.get_command(app))


def test_known_commands_are_all_checked() -> None:
    assert {"corpus", "clean", "report", "count", "kwic", "words", "keyness"} <= {c[0] for c in LEAVES}
    assert ("lexicon", "check") in LEAVES and ("lexicon", "suggest") in LEAVES


@pytest.mark.parametrize("command", LEAVES, ids=[" ".join(c) for c in LEAVES])
def test_every_help_has_an_example(command: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200", **os.environ})
    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout
    assert f"plantrace {' '.join(command)}" in result.stdout  # the example runs this command


def test_diff_flags_pairs_across_missing_years_and_max_gap() -> None:
    # 1988 → 1992: no reports for 1989-1991 in the corpus; the terminal says so above the table.
    result = run("-q", "diff", "corpora/gwr-national", "--pair", "gwr_national_1988", "gwr_national_1992")
    assert result.exit_code == 0, result.output
    flat = " ".join(result.stdout.split())
    assert "crosses 3 missing year(s) (1988 → 1992)" in flat
    result = run("-q", "diff", "corpora/gwr-national", "--pair", "gwr_national_1988", "gwr_national_1992",
                 "--max-gap", "1")
    assert result.exit_code == 0, result.output
    flat = " ".join(result.stdout.split())
    assert "1 pair(s) more than --max-gap years apart left out" in flat and "no pairs to compare" in flat


def test_python_dash_m_plantrace_runs_the_command() -> None:
    # `python -m plantrace` did nothing at all (no __main__), silently, with exit 0.
    from plantrace import __version__

    out = subprocess.run([sys.executable, "-m", "plantrace", "--version"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"plantrace {__version__}"
    bad = subprocess.run([sys.executable, "-m", "plantrace", "count", "no-such-folder"], capture_output=True, text=True)
    assert bad.returncode == 2 and "no-such-folder" in bad.stderr and "Traceback" not in bad.stderr
