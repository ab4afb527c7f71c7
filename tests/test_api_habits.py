"""Issue 15's API, spreadsheet and terminal habits: a dfm, KWIC that says what it
searched, did-you-mean errors, output formats by extension, help for every option."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from tests.conftest import CORPORA
from typer.testing import CliRunner

import plantrace
from plantrace.cli import app
from plantrace.measure.counts import describe_kwic_query
from plantrace.report.tables import write_frame

CHENGDU = str(CORPORA / "chengdu")


def test_counts_wide_is_a_document_by_concept_matrix(chengdu) -> None:
    wide = chengdu.counts(wide=True)
    long = chengdu.counts()
    assert list(wide["doc_id"]) == chengdu.doc_ids and wide["doc_id"].is_unique
    assert {"body_chars", "year", "level", "park_city"} <= set(wide.columns)
    row = wide.set_index("doc_id").loc["qingyang_2021_plan_outline"]
    assert row["park_city"] == 14 == int(long.query("doc_id == 'qingyang_2021_plan_outline' and "
                                                    "concept_id == 'park_city'")["count"].iloc[0])
    assert "provenance" in wide.attrs
    rates = chengdu.counts(wide=True, value="rate_per_10k").set_index("doc_id")
    assert rates.loc["qingyang_2021_plan_outline", "park_city"] == pytest.approx(14 / row["body_chars"] * 1e4, abs=1e-3)
    with pytest.raises(plantrace.PlantraceError, match="did you mean 'count'"):
        chengdu.counts(wide=True, value="cuont")


def test_kwic_says_what_it_expanded_to_and_literal_searches_as_typed(chengdu) -> None:
    hits = chengdu.kwic("park_city")
    q = hits.attrs["query"]
    assert q["concept_id"] == "park_city" and "park_city_demo_zone" in q["concepts"] and "公园城市" in q["aliases"]
    assert describe_kwic_query(hits).startswith(f"{len(hits)} hits for 'park_city' (concept park_city with ")
    assert chengdu.kwic("park_city", literal=True).empty  # the id as typed is in no text
    literal = chengdu.kwic("公园城市", literal=True)
    assert literal.attrs["query"]["concepts"] == [] and set(literal["keyword"]) == {"公园城市"}
    none = chengdu.kwic("空中楼阁")
    assert describe_kwic_query(none) == "0 hits for '空中楼阁' (searched as typed) in the body of 5 documents"


def test_misspelt_ids_indicators_and_kinds_say_did_you_mean(chengdu) -> None:
    for call, fix in [(lambda: chengdu.kwic("park_cty"), "did you mean 'park_city'"),
                      (lambda: chengdu.targets(indicator="gdp_growht"), "did you mean 'gdp_growth'"),
                      (lambda: chengdu.targets(kinds=["targte"]), "did you mean 'target'"),
                      (lambda: chengdu.trajectory(["park_cty"]), "did you mean 'park_city'")]:
        with pytest.raises(plantrace.PlantraceError, match=fix):
            call()


def test_out_by_extension_xlsx_json_parquet_and_unknown(tmp_path: Path) -> None:
    frame = pd.DataFrame({"doc_id": ["a", "b"], "label": ["公园城市", "=HYPERLINK(\"x\")"], "count": [3, 4]})
    book = openpyxl.load_workbook(write_frame(frame, tmp_path / "x.xlsx"))
    rows = [[c.value for c in r] for r in book.active.iter_rows()]
    assert rows == [["doc_id", "label", "count"], ["a", "公园城市", 3], ["b", "=HYPERLINK(\"x\")", 4]]
    assert book.active["B3"].data_type == "s"  # text, never a formula
    assert json.loads((write_frame(frame, tmp_path / "x.json")).read_text(encoding="utf-8"))[0]["label"] == "公园城市"
    with pytest.raises(plantrace.PlantraceError, match=r"unknown output format '\.xls'.*\.xlsx"):
        write_frame(frame, tmp_path / "x.xls")
    assert not (tmp_path / "x.xls").exists()
    assert (tmp_path / "x.xlsx").read_bytes()[:2] == b"PK"


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def test_cli_count_wide_xlsx_and_kwic_excel_literal(tmp_path: Path) -> None:
    out = tmp_path / "dfm.xlsx"
    result = run("count", CHENGDU, "--wide", "--out", str(out), "-q")
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in next(sheet.iter_rows())]
    assert header[:2] == ["doc_id", "body_chars"] and "park_city" in header and sheet.max_row == 6
    kwic = tmp_path / "kwic.csv"
    result = run("kwic", CHENGDU, "公园城市", "--literal", "--excel", "--out", str(kwic), "-q")
    assert result.exit_code == 0, result.output
    assert kwic.read_bytes().startswith(b"\xef\xbb\xbf") and "searched as typed" in result.output
    none = run("kwic", CHENGDU, "空中楼阁", "-q")
    assert none.exit_code == 0 and "0 hits for '空中楼阁'" in none.output
    assert run("count", CHENGDU, "--out", str(tmp_path / "c.xls"), "-q").exit_code == 2


def test_every_option_has_help_and_flags_show_as_flags() -> None:
    import typer.main
    group = typer.main.get_command(app)
    commands = {"": group, **{n: c for n, c in group.commands.items()}}
    for name, sub in list(group.commands.items()):
        commands.update({f"{name} {n}": c for n, c in (getattr(sub, "commands", None) or {}).items()})
    for name, command in commands.items():
        for param in command.params:
            if param.param_type_name == "option":
                assert getattr(param, "help", None), f"{name} {param.opts[0]} has no help"
    text = run("count", "--help").output
    assert "--json" in text and "<bool>" not in text


def test_global_options_are_hoisted_before_the_command_only() -> None:
    import typer.main

    from plantrace.cli import hoist_global_options
    group = typer.main.get_command(app)
    assert hoist_global_options(group, ["count", "c", "--jobs", "2", "-q", "--out", "x.csv"]) == \
        ["--jobs", "2", "-q", "count", "c", "--out", "x.csv"]
    # a value that happens to be a command name is still the option's value
    assert hoist_global_options(group, ["--store", "corpus", "count", "c", "--where=year>=2021"]) == \
        ["--store", "corpus", "--where=year>=2021", "count", "c"]
    assert hoist_global_options(group, ["kwic", "c", "--", "-q"]) == ["kwic", "c", "--", "-q"]
