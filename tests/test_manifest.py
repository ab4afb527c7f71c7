"""plantrace.manifest.read_manifest and plantrace.load_corpus: the real manifests, and
bad manifests reported all at once with the right CSV line numbers."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

import plantrace
from plantrace.errors import PlantraceError, Problem, ValidationError
from plantrace.ingest.manifest import read_manifest

CORPORA = Path(__file__).resolve().parents[1] / "corpora"
HEADER = "doc_id,file,title,issuer,level,region,parent_region,year,date,doc_type,script\n"
# A real opening (Qingyang plan outline) for the documents the bad manifests list.
TEXT = "“十四五”时期(2021—2025年),是成都加快建设践行新发展理念的公园城市示范区的重要五年。\n"


def _corpus(tmp_path: Path, manifest: str | bytes, files: tuple[str, ...] = ("a.txt", "b.txt")) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    for f in files:
        (root / f).write_text(TEXT, encoding="utf-8")
    data = manifest.encode("utf-8") if isinstance(manifest, str) else manifest
    (root / "manifest.csv").write_bytes(data)
    return root


def _csv_rows(corpus: str) -> list[dict[str, str]]:
    with open(CORPORA / corpus / "manifest.csv", encoding="utf-8-sig", newline="") as fh:
        return [r for r in csv.DictReader(fh) if any(v.strip() for v in r.values())]


# ---- the three real manifests ----------------------------------------------------------

@pytest.mark.parametrize(("corpus", "n", "first", "last"), [
    ("chengdu", 5, "chengdu_2020_party_proposal", "tianfu_2022_development_plan_draft"),
    # 73 rows since the 2020 report was added (issue 13); 72 before
    ("gwr-national", 73, "gwr_national_1954", "npc_resolution_on_gwr_2025"),
    ("gwr-provincial-2025", 31, "gwr_2025_anhui", "gwr_2025_zhejiang"),
])
def test_real_manifests(corpus: str, n: int, first: str, last: str) -> None:
    entries = read_manifest(CORPORA / corpus)
    rows = _csv_rows(corpus)
    assert len(entries) == len(rows) == n
    assert [e.doc_id for e in entries] == [r["doc_id"] for r in rows]
    assert (entries[0].doc_id, entries[-1].doc_id) == (first, last)
    # One row per line, no blank lines: the header is line 1.
    assert [e.line for e in entries] == list(range(2, n + 2))
    assert all(e.path.is_file() for e in entries)
    assert all(e.year == int(r["year"]) for e, r in zip(entries, rows))


def test_real_manifest_values() -> None:
    by_id = {e.doc_id: e for e in read_manifest(CORPORA / "chengdu")}
    xindu = by_id["xindu_2021_signed_article"]
    assert (xindu.level, xindu.region, xindu.parent_region, xindu.year, xindu.script) == (
        "district", "成都市新都区", "成都市", 2021, "traditional")
    tianfu = by_id["tianfu_2022_development_plan_draft"]
    assert (tianfu.level, tianfu.date, tianfu.title) == (
        "new_area", "2022-08-30", "四川天府新区发展规划(2022-2027年)(征求意见稿)")
    national = read_manifest(CORPORA / "gwr-national")
    assert sum(e.doc_id.startswith("npc_resolution_on_gwr_") for e in national) == 20
    # 53 work reports since the 2020 report was added (issue 13); 52 before
    assert sum(e.doc_id.startswith("gwr_national_") for e in national) == 53
    assert {e.level for e in national} == {"national"}
    provincial = read_manifest(CORPORA / "gwr-provincial-2025")
    assert {e.level for e in provincial} == {"provincial"} and {e.year for e in provincial} == {2025}
    assert provincial[0].region == "安徽省" and provincial[0].file == "texts/gwr_2025_anhui.txt"


def test_load_corpus_counts(all_corpora) -> None:
    # gwr-national: 73 documents since the 2020 report was added (issue 13); 72 before
    assert [len(c) for c in all_corpora] == [5, 73, 31]
    assert [c.name for c in all_corpora] == ["chengdu", "gwr-national", "gwr-provincial-2025"]


def test_load_corpus_of_several_folders() -> None:
    both = plantrace.load_corpus([CORPORA / "chengdu", CORPORA / "gwr-provincial-2025"])
    assert len(both) == 36
    assert both.doc_ids[:1] == ["chengdu_2020_party_proposal"] and both.doc_ids[-1] == "gwr_2025_zhejiang"


def test_load_corpus_leaves_the_manifest_alone() -> None:
    m = CORPORA / "chengdu" / "manifest.csv"
    before = (m.stat().st_mtime_ns, hashlib.sha256(m.read_bytes()).hexdigest())
    plantrace.load_corpus(CORPORA / "chengdu")
    assert (m.stat().st_mtime_ns, hashlib.sha256(m.read_bytes()).hexdigest()) == before


# ---- every problem at once ---------------------------------------------------------------

MANY_PROBLEMS = HEADER + (
    "a,a.txt,甲,成都市,city,成都市,四川省,2021,,plan,simplified\n"         # 2 fine
    "b,b.txt,乙,成都市,town,成都市,四川省,2021,,plan,simplified\n"         # 3 bad level
    "c,c.txt,丙,成都市,city,成都市,四川省,21,,plan,simplified\n"           # 4 bad year; c.txt missing
    "d,b.txt,丁,成都市,city,,四川省,2021,,plan,simplified\n"               # 5 empty region; b.txt twice
    "a,e.txt,戊,成都市,district,成都市,四川省,2022,,plan,simplified\n"     # 6 doc_id a repeats; e.txt missing
    "f,../../etc/passwd,己,成都市,city,成都市,四川省,2021,,plan,simplified\n"  # 7 outside
    "g,/etc/passwd,庚,成都市,city,成都市,四川省,2021,,plan,simplified\n"   # 8 absolute
    "h,a.txt,辛,成都市,city,成都市,四川省,二〇二一,,plan,cantonese\n"      # 9 year, script, a.txt twice
)


def test_many_problems_in_one_error(tmp_path: Path) -> None:
    root = _corpus(tmp_path, MANY_PROBLEMS)
    with pytest.raises(ValidationError) as info:
        read_manifest(root)
    err = info.value
    found = [(p.line, p.message) for p in err.problems]
    assert found == [
        (3, "level 'town' is not one of " + ", ".join(plantrace.ingest.manifest.LEVELS)),
        (4, "year '21' is not a four-digit year"),
        (4, "file 'c.txt' not found"),
        (5, "region is empty"),
        (5, "file 'b.txt' is listed twice (row 3)"),
        (6, "doc_id 'a' repeats row 2"),
        (6, "file 'e.txt' not found"),
        (7, "file '../../etc/passwd' lies outside the corpus folder"),
        (8, "file '/etc/passwd' lies outside the corpus folder"),
        (9, "year '二〇二一' is not a four-digit year"),
        (9, "script 'cantonese' is not one of " + ", ".join(plantrace.text.normalise.SCRIPTS)),
        (9, "file 'a.txt' is listed twice (row 2)"),
    ]
    assert all(p.hint for p in err.problems)
    shown = str(root / "manifest.csv")
    assert err.file == shown
    # str(): the first problem, its row, and how many more.
    assert str(err) == (f"{shown}:3: level 'town' is not one of national, provincial, city, prefecture, "
                        "new_area, district, county, township, village (+11 more problems) "
                        "(fix: write 'township')")
    # report(): one line per problem, each naming file and row.
    lines = err.report().splitlines()
    assert len(lines) == 12
    assert lines[7] == (f"{shown}:7: file '../../etc/passwd' lies outside the corpus folder "
                        "(fix: put the document inside the corpus folder and give a relative path)")
    assert all(line.startswith(f"{shown}:") for line in lines)


def test_load_corpus_raises_the_same_validation_error(tmp_path: Path) -> None:
    root = _corpus(tmp_path, MANY_PROBLEMS)
    with pytest.raises(ValidationError) as info:
        plantrace.load_corpus(root)
    assert len(info.value.problems) == 12


def test_line_numbers_count_blank_lines_and_multiline_cells(tmp_path: Path) -> None:
    # Regression: csv.DictReader skipped the blank lines, so rows were misnumbered.
    manifest = ("doc_id,file,title,level,region,year\n"
                "\n"                                             # 2 blank
                'a,a.txt,"成都市青羊区\n规划纲要",city,成都市,2021\n'  # 3-4, a quoted line break
                "\n"                                             # 5 blank
                "b,b.txt,乙,city,成都市,20x1\n")                 # 6
    root = _corpus(tmp_path, manifest)
    with pytest.raises(ValidationError) as info:
        read_manifest(root)
    assert [(p.line, p.message) for p in info.value.problems] == [(6, "year '20x1' is not a four-digit year")]
    assert str(info.value).startswith(f"{root / 'manifest.csv'}:6: ")


def test_valid_rows_keep_their_physical_line(tmp_path: Path) -> None:
    manifest = "doc_id,file,level,region,year\n\na,a.txt,city,成都市,2021\n\n\nb,b.txt,district,青羊区,2022\n"
    entries = read_manifest(_corpus(tmp_path, manifest))
    assert [(e.doc_id, e.line, e.year, e.level) for e in entries] == [
        ("a", 3, 2021, "city"), ("b", 6, 2022, "district")]


def test_missing_required_columns(tmp_path: Path) -> None:
    root = _corpus(tmp_path, "doc_id,file,title,year\na,a.txt,甲,2021\n")
    with pytest.raises(PlantraceError) as info:
        read_manifest(root)
    assert str(info.value) == (f"{root / 'manifest.csv'}:1: manifest lacks required column(s): level, region "
                               "(fix: add the column(s) level, region)")


def test_manifest_with_utf8_bom_loads(tmp_path: Path) -> None:
    manifest = "\ufeffdoc_id,file,level,region,year,script\na,a.txt,city,成都市,2021,simplified\n"
    root = _corpus(tmp_path, manifest)
    assert (root / "manifest.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    entries = read_manifest(root)
    assert [(e.doc_id, e.level, e.region, e.year, e.script, e.line) for e in entries] == [
        ("a", "city", "成都市", 2021, "simplified", 2)]
    assert len(plantrace.load_corpus(root)) == 1


def test_extra_columns_are_kept(tmp_path: Path) -> None:
    root = _corpus(tmp_path, "doc_id,file,level,region,year,encoding,source_url\n"
                             "a,a.txt,city,成都市,2021,utf-8,http://example.org/a\n")
    (entry,) = read_manifest(root)
    assert entry.extra == {"encoding": "utf-8", "source_url": "http://example.org/a"}


def test_semicolon_manifest(tmp_path: Path) -> None:
    root = _corpus(tmp_path, "doc_id;file;level;region;year\na;a.txt;city;成都市;2021\n")
    with pytest.raises(PlantraceError) as info:
        read_manifest(root)
    assert str(info.value) == (f"{root / 'manifest.csv'}:1: manifest uses semicolons, not commas "
                               "(fix: save it as comma-separated CSV)")


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xef\xbb\xbf"], ids=["zero-bytes", "blank-lines", "bom-only"])
def test_empty_manifest(tmp_path: Path, content: bytes) -> None:
    root = _corpus(tmp_path, content)
    with pytest.raises(PlantraceError) as info:
        read_manifest(root)
    msg = str(info.value)
    assert msg.startswith(f"{root / 'manifest.csv'}: manifest is empty")
    assert "doc_id, file, level, region, year" in msg


def test_header_only_manifest(tmp_path: Path) -> None:
    root = _corpus(tmp_path, HEADER)
    with pytest.raises(PlantraceError, match="manifest lists no documents") as info:
        read_manifest(root)
    assert info.value.file == str(root / "manifest.csv")


def test_manifest_not_utf8(tmp_path: Path) -> None:
    # Excel on a Chinese Windows saves CSV as GBK.
    root = _corpus(tmp_path, "doc_id,file,level,region,year\na,a.txt,city,成都市,2021\n".encode("gbk"))
    with pytest.raises(PlantraceError) as info:
        read_manifest(root)
    msg = str(info.value)
    # Byte 43 is the first byte of 成都市 on line 2.
    assert msg.startswith(f"{root / 'manifest.csv'}:2: manifest is not UTF-8 (byte 43)")
    assert "save the manifest as UTF-8 CSV" in msg


def test_folder_without_manifest(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    with pytest.raises(PlantraceError) as info:
        read_manifest(tmp_path)
    assert str(info.value).startswith(f"{tmp_path}: no manifest.csv in the corpus folder")
    with pytest.raises(PlantraceError, match=r"no manifest\.csv"):
        plantrace.load_corpus(tmp_path)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(PlantraceError) as info:
        read_manifest(tmp_path / "nowhere")
    assert str(info.value).startswith(f"{tmp_path / 'nowhere'}: corpus folder not found")


def test_unreadable_document_names_the_document(tmp_path: Path) -> None:
    root = _corpus(tmp_path, "doc_id,file,level,region,year\na,a.txt,city,成都市,2021\nb,b.txt,city,成都市,2021\n")
    (root / "b.txt").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    with pytest.raises(PlantraceError) as info:
        plantrace.load_corpus(root)
    assert str(info.value).startswith(f"{root / 'b.txt'}: is a binary file")
    corpus = plantrace.load_corpus(root, skip_bad=True)
    assert corpus.doc_ids == ["a"]
    assert corpus.skipped == [(str(root / "b.txt"), "is a binary file, not text")]


def test_problem_render() -> None:
    assert Problem(4, "year '21' is not a four-digit year", "write the year such as 2021").render("m.csv") == (
        "m.csv:4: year '21' is not a four-digit year (fix: write the year such as 2021)")


def test_levels_beyond_the_six_in_the_documented_order(tmp_path: Path) -> None:
    from plantrace.compare.pairs import pairs_by_level
    from plantrace.ingest.manifest import LEVEL_RANK, LEVELS
    assert [lv for lv in LEVELS if lv in ("national", "provincial", "city", "new_area", "district", "county")] == \
        ["national", "provincial", "city", "new_area", "district", "county"]
    assert LEVEL_RANK["prefecture"] == LEVEL_RANK["city"] < LEVEL_RANK["county"] < LEVEL_RANK["township"]
    for name in ("p", "t"):
        (tmp_path / f"{name}.txt").write_text("各位代表：推进乡村振兴。", encoding="utf-8")
    (tmp_path / "manifest.csv").write_text(
        "doc_id,file,level,region,parent_region,year\n"
        "p,p.txt,prefecture,凉山彝族自治州,四川省,2021\n"
        "t,t.txt,township,凉山彝族自治州某镇,凉山彝族自治州,2021\n", encoding="utf-8")
    assert [e.level for e in read_manifest(tmp_path)] == ["prefecture", "township"]
    assert pairs_by_level(plantrace.load_corpus(tmp_path, store=False)) == [("p", "t")]
