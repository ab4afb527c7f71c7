"""The researcher's own data: extra manifest columns travel as docvars (issue 15)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

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
