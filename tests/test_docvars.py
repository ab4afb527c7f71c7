"""The researcher's own data: extra manifest columns travel as docvars (issue 15)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

import plantrace
from plantrace.engine.collection import docvars_frame
from plantrace.report.codebook import table_columns
from plantrace.report.outputs import REPORT_TABLES, write_report
from plantrace.report.pipeline import run_report

CITY = ("成都市国民经济和社会发展第十四个五年规划纲要\n一、总体要求\n"
        "加快建设践行新发展理念的公园城市示范区。2021年地区生产总值增长6%以上。\n")
DISTRICT = ("青羊区国民经济和社会发展第十四个五年规划纲要\n一、总体要求\n"
            "建设公园城市示范区，发展总部经济。2021年地区生产总值增长7%左右。\n")


def make_corpus(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "city.txt").write_text(CITY, encoding="utf-8")
    (root / "district.txt").write_text(DISTRICT, encoding="utf-8")
    (root / "manifest.csv").write_text(
        "doc_id,file,level,region,parent_region,year,doc_type,leader,label\n"
        "city_2021,city.txt,city,成都市,四川省,2021,plan_outline,王一,甲\n"
        "district_2021,district.txt,district,成都市青羊区,成都市,2021,plan_outline,李二,乙\n",
        encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def own(tmp_path_factory) -> plantrace.Corpus:
    return plantrace.load_corpus(make_corpus(tmp_path_factory.mktemp("own") / "own"), store=False)


def test_docvar_names_and_frame(own) -> None:
    assert own.docvar_names == ["leader", "label"]
    frame = docvars_frame(own, key="doc_a", suffix="_a")
    assert list(frame.columns) == ["doc_a", "leader_a", "label_a"]
    assert frame.set_index("doc_a").loc["district_2021", "leader_a"] == "李二"


@pytest.mark.parametrize("method", ["to_frame", "counts", "mentions", "rejected", "targets"])
def test_every_frame_carries_docvars(own, method) -> None:
    frame = getattr(own, method)()
    assert "leader" in frame.columns, method
    assert "provenance" in frame.attrs, method
    if len(frame):
        by_doc = dict(zip(frame["doc_id"], frame["leader"]))
        assert set(by_doc.values()) <= {"王一", "李二"}
        if "district_2021" in by_doc:
            assert by_doc["district_2021"] == "李二"


def test_counts_keep_plantrace_columns_and_rename_a_colliding_docvar(own) -> None:
    counts = own.counts()
    assert "docvar_label" in counts.columns  # the manifest's `label` next to the concept label
    row = counts[(counts.doc_id == "district_2021") & (counts.concept_id == "park_city")].iloc[0]
    assert row["label"] == "公园城市" and row["docvar_label"] == "乙"
    assert row["body_chars"] == own["district_2021"].body_chars > 0


def test_kwic_carries_year_level_doc_type_and_docvars(own) -> None:
    kwic = own.kwic("公园城市")
    assert len(kwic) == 2
    assert set(kwic["level"]) == {"city", "district"} and set(kwic["year"]) == {2021}
    assert set(kwic["doc_type"]) == {"plan_outline"} and set(kwic["leader"]) == {"王一", "李二"}


def test_report_files_and_codebook_carry_docvars(own, tmp_path) -> None:
    out = tmp_path / "out"
    write_report(run_report(own), out, charts=False, html=False)
    book = json.loads((out / "codebook.json").read_text(encoding="utf-8"))
    assert book["docvars"] == ["leader", "label"]
    for table, stem in REPORT_TABLES.items():
        with open(out / f"{stem}.csv", encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh))
        assert header == list(table_columns(table, book["docvars"])), stem
    assert "leader" in header or table not in ("documents", "counts", "mentions", "rejected", "targets")
    md = (out / "codebook.md").read_text(encoding="utf-8")
    assert "| `leader` | Manifest column 'leader', passed through" in md


def test_repr_is_one_short_line(own) -> None:
    text = repr(own)
    assert "\n" not in text and len(text) < 200, text
    assert text == "<Corpus 'own': 2 documents, 2021; city, district; docvars: leader, label>"
    assert repr(own["city_2021"]) == "<Document 'city_2021': city 成都市 2021 plan_outline, 69 characters>"


def test_a_lexicon_may_be_given_as_a_path(own, tmp_path) -> None:
    path = tmp_path / "my.csv"
    path.write_text("concept,alias\nmy_park,公园城市\n", encoding="utf-8")
    counts = own.counts(lexicon=str(path))
    assert set(counts["concept_id"]) == {"my_park"}
    assert list(own.kwic("my_park", lexicon=path)["doc_id"]) == ["city_2021", "district_2021"]
    assert plantrace.load_lexicon(path).sha256 == counts.attrs["provenance"]["lexicon_sha256"]


def test_subset_by_manifest_columns_and_docvars(own) -> None:
    assert own.subset(level="district").doc_ids == ["district_2021"]
    assert own.subset("leader=王一").doc_ids == ["city_2021"]
    assert own.subset("year>=2021", "level=city,district").doc_ids == ["city_2021", "district_2021"]
    assert own.subset("level!=city").counts().attrs["provenance"]["subset"] == ["level!=city"]
    assert isinstance(own.subset(level="city"), plantrace.Corpus) and len(own) == 2
    with pytest.raises(plantrace.PlantraceError, match="did you mean 'year'"):
        own.subset("yaer>=2000")
    with pytest.raises(plantrace.PlantraceError, match="no document of 2 meets year>=2030"):
        own.subset("year>=2030")
    with pytest.raises(plantrace.PlantraceError, match="cannot read the condition"):
        own.subset("year")


def test_cli_where_version_and_global_options_after_the_command(own, tmp_path) -> None:
    from typer.testing import CliRunner

    from plantrace.cli import app
    root = str(own.paths[0])
    result = CliRunner().invoke(app, ["corpus", root, "--where", "leader=李二", "--no-store", "--quiet", "--json"])
    assert result.exit_code == 0, result.output
    assert [r["doc_id"] for r in json.loads(result.output)] == ["district_2021"]
    assert json.loads(result.output)[0]["leader"] == "李二"
    bad = CliRunner().invoke(app, ["count", root, "--where=yaer>=2000", "--no-store", "-q"])
    assert bad.exit_code == 2 and "did you mean 'year'" in bad.output
    version = CliRunner().invoke(app, ["--version"])
    assert version.exit_code == 0 and version.output.strip() == f"plantrace {plantrace.__version__}"


def test_corpus_from_frame_keeps_text_and_docvars_and_names_bad_rows() -> None:
    import pandas as pd
    rows = [{"id": "a", "body": "各位代表：建设公园城市。", "admin": "city", "region": "成都市", "year": 2021,
             "party_secretary": "王"},
            {"id": "b", "body": "建設公園城市。", "admin": "district", "region": "成都市青羊区", "year": 2022,
             "parent_region": "成都市", "party_secretary": "李"}]
    corpus = plantrace.corpus_from_frame(rows, text="body", doc_id="id", columns={"level": "admin"}, name="mine")
    assert corpus.doc_ids == ["a", "b"] and corpus.docvar_names == ["party_secretary"]
    assert corpus["b"].raw == "建設公園城市。" and "公园城市" in corpus["b"].text
    assert corpus.to_frame().set_index("doc_id").loc["b", "party_secretary"] == "李"
    bad = pd.DataFrame({"text": ["甲", "乙"], "level": ["city", "twon"], "region": ["x", "y"], "year": [2021, 21]})
    with pytest.raises(plantrace.PlantraceError) as info:
        plantrace.corpus_from_frame(bad)
    assert "row 1: level 'twon'" in info.value.report() and "row 1: year '21'" in info.value.report()
    with pytest.raises(plantrace.PlantraceError, match="no text column 'text'"):
        plantrace.corpus_from_frame(bad.drop(columns="text"))


def test_pair_frames_carry_the_docvars_of_both_documents(own) -> None:
    # make_corpus: city_2021 has leader 王一, district_2021 has leader 李二; the district's
    # parent is the city (parent_region 成都市), so every level pair is (city, district).
    diff = own.diff()
    assert {"leader_a", "leader_b", "label_a", "label_b"} <= set(diff.columns)
    assert set(zip(diff["doc_a"], diff["leader_a"], diff["leader_b"])) == {("city_2021", "王一", "李二")}
    assert list(diff.columns)[-4:] == ["leader_a", "label_a", "leader_b", "label_b"]
    # Both texts state a 地区生产总值 growth target (6%以上 in the city, 7%左右 in the district).
    cmp = own.compare_targets()
    assert len(cmp) and set(zip(cmp["doc_child"], cmp["leader_child"], cmp["leader_parent"])) == \
        {("district_2021", "李二", "王一")}
    align = own.align("city_2021", "district_2021")
    assert set(align["leader_a"]) == {"王一"} and set(align["label_b"]) == {"乙"}
    # Formulations need quoted 提法: a corpus of its own (the city quotes “三城三都”, the
    # district quotes it too and adds “四大结构”).
    quoted = plantrace.corpus_from_frame(pd.DataFrame({
        "text": ["各位代表：\n一、总体要求\n深入推进“三城三都”建设，加快建设公园城市。\n",
                 "各位代表：\n一、总体要求\n深入推进“三城三都”建设，全面落实“四大结构”调整。\n"],
        "doc_id": ["city_2021", "district_2021"], "level": ["city", "district"],
        "region": ["成都市", "成都市青羊区"], "parent_region": ["四川省", "成都市"], "year": [2021, 2021],
        "leader": ["王一", "李二"]}))
    formulations = quoted.formulations()
    assert sorted(zip(formulations["doc_id"], formulations["formulation"], formulations["leader"])) == [
        ("city_2021", "三城三都", "王一"), ("district_2021", "三城三都", "李二"), ("district_2021", "四大结构", "李二")]
    changes = quoted.formulation_changes(pair=("city_2021", "district_2021"))
    assert sorted(zip(changes["formulation"], changes["status"], changes["leader_a"], changes["leader_b"])) == [
        ("三城三都", "kept", "王一", "李二"), ("四大结构", "new", "王一", "李二")]
