"""Issue 12, "never cost a researcher their data, never change the numbers silently":
manifest rows, lexicon keys, encodings and a wrongly declared script. Every case is a
real bundled file (the Chengdu manifest and documents, the bundled lexicon) damaged the
way real corpora are, in tmp_path; each must be an error naming the file and line, or
give exactly the undamaged result."""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

import pytest

from plantrace.errors import PlantraceError, ValidationError
from plantrace.ingest.manifest import read_manifest

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "corpora"
CHENGDU = CORPORA / "chengdu"
MANIFEST_LINES = (CHENGDU / "manifest.csv").read_text(encoding="utf-8").splitlines()
HEADER, ROWS = MANIFEST_LINES[0], MANIFEST_LINES[1:]
N_COLUMNS = HEADER.count(",") + 1


def _chengdu_copy(tmp_path: Path, manifest: str | bytes) -> Path:
    """The Chengdu documents in tmp_path, under the given manifest."""
    root = tmp_path / "chengdu"
    root.mkdir(parents=True)
    for p in CHENGDU.glob("*.txt"):
        shutil.copy(p, root / p.name)
    data = manifest.encode("utf-8") if isinstance(manifest, str) else manifest
    (root / "manifest.csv").write_bytes(data)
    return root


def _manifest_error(root: Path) -> PlantraceError:
    with pytest.raises(PlantraceError) as info:
        read_manifest(root)
    err = info.value
    assert err.file == str(root / "manifest.csv")
    assert "Traceback" not in str(err)
    return err


def _lines(err: PlantraceError) -> list[int | None]:
    return [p.line for p in err.problems] if isinstance(err, ValidationError) else [err.line]


# ---- 1. manifest rows lost ---------------------------------------------------------------

def _with_title(row: str, title: str) -> str:
    cells = row.split(",")
    cells[2] = title
    return ",".join(cells)


def test_bundled_manifest_still_loads_whole(tmp_path: Path) -> None:
    root = _chengdu_copy(tmp_path, "\n".join(MANIFEST_LINES) + "\n")
    assert [e.doc_id for e in read_manifest(root)] == [r.split(",")[0] for r in ROWS]
    # Excel's stray trailing comma and blank ",,,," rows lose nothing.
    rows = [ROWS[0] + ",", "," * (N_COLUMNS - 1)] + ROWS[1:]
    root2 = _chengdu_copy(tmp_path / "x", "\n".join([HEADER] + rows) + "\n")
    assert len(read_manifest(root2)) == 5


def test_unclosed_quote_never_swallows_rows(tmp_path: Path) -> None:
    # (a) open to the end of the file: once this read as 2 of the 5 documents, exit 0.
    rows = list(ROWS)
    rows[1] = _with_title(rows[1], '"成都市青羊区国民经济')
    err = _manifest_error(_chengdu_copy(tmp_path / "a", "\n".join([HEADER] + rows) + "\n"))
    assert _lines(err) == [3] and "never closed" in str(err)
    # (b) closed by the quote of a later quoted cell.
    rows = list(ROWS)
    rows[1] = _with_title(rows[1], '"成都市青羊区国民经济')
    rows[3] = _with_title(rows[3], '"新都区署名文章"')
    err = _manifest_error(_chengdu_copy(tmp_path / "b", "\n".join([HEADER] + rows) + "\n"))
    assert _lines(err) == [3] and "quote" in str(err)
    # (c) closed by a stray quote that ends a cell: the row in between is swallowed.
    rows = list(ROWS)
    rows[1] = _with_title(rows[1], '"成都市青羊区国民经济')
    rows[3] = _with_title(rows[3], '新都区署名文章"')
    err = _manifest_error(_chengdu_copy(tmp_path / "c", "\n".join([HEADER] + rows) + "\n"))
    assert _lines(err) == [3] and "quote left open" in str(err)


def test_row_with_more_fields_than_the_header(tmp_path: Path) -> None:
    rows = list(ROWS)
    rows[2] = _with_title(rows[2], "青羊区2021年政府工作报告,图解")  # an unquoted comma
    err = _manifest_error(_chengdu_copy(tmp_path, "\n".join([HEADER] + rows) + "\n"))
    assert _lines(err) == [4]
    assert f"row has {N_COLUMNS + 1} fields, the header has {N_COLUMNS} columns" in str(err)
    assert "double quotes" in str(err)


def test_row_with_fewer_fields_than_the_header(tmp_path: Path) -> None:
    rows = list(ROWS)
    rows[0] = rows[0].rsplit(",", 1)[0]          # script cell left out
    rows[4] = rows[4].replace(",2022-08-30,", ",")  # date left out: doc_type would shift
    err = _manifest_error(_chengdu_copy(tmp_path, "\n".join([HEADER] + rows) + "\n"))
    assert _lines(err) == [2, 6]
    assert f"row has {N_COLUMNS - 1} fields, the header has {N_COLUMNS} columns" in err.problems[0].message


def test_repeated_column_name(tmp_path: Path) -> None:
    header = HEADER + ",script"
    rows = [r + ",simplified" for r in ROWS]
    err = _manifest_error(_chengdu_copy(tmp_path, "\n".join([header] + rows) + "\n"))
    assert err.line == 1 and "names the column(s) script twice" in str(err)


def test_nul_bytes_tabs_and_huge_cells(tmp_path: Path) -> None:
    text = "\n".join(MANIFEST_LINES) + "\n"
    nul = text.replace(ROWS[2], ROWS[2][:20] + "\x00" + ROWS[2][20:])
    err = _manifest_error(_chengdu_copy(tmp_path / "nul", nul))
    assert err.line == 4 and "NUL" in str(err)
    err = _manifest_error(_chengdu_copy(tmp_path / "utf16", text.replace(",", "\t").encode("utf-16")))
    assert "manifest is UTF-16" in str(err)
    tabs = text.replace(",", "\t")
    err = _manifest_error(_chengdu_copy(tmp_path / "tab", tabs))
    assert err.line == 1 and "manifest uses tabs, not commas" in str(err)
    rows = list(ROWS)
    rows[3] = _with_title(rows[3], "新都区" * 50_000)  # 150,000 characters
    err = _manifest_error(_chengdu_copy(tmp_path / "big", "\n".join([HEADER] + rows) + "\n"))
    assert err.line == 5 and "128 KiB" in str(err)


# ---- 3. encodings ------------------------------------------------------------------------

def _bundled_documents() -> list[Path]:
    import csv

    out = []
    for m in sorted(CORPORA.glob("*/manifest.csv")):
        with open(m, encoding="utf-8-sig", newline="") as fh:
            out.extend(m.parent / row["file"] for row in csv.DictReader(fh))
    return out


BUNDLED = _bundled_documents()
# The opening of the Qingyang plan outline (simplified, UTF-8 on disk).
QINGYANG = (CHENGDU / "qingyang_2021_plan_outline.txt").read_text(encoding="utf-8")
PARAGRAPHS = QINGYANG[:3000]


def test_there_are_140_bundled_documents() -> None:
    # chengdu 5 + national 73 (with 2020) + provincial 2025 31 + provincial 2026 31
    assert len(BUNDLED) == 140


def test_every_bundled_document_in_every_unicode_and_gb18030(tmp_path: Path) -> None:
    from plantrace.ingest.read import read_raw

    wrong: list[str] = []
    for src in BUNDLED:
        text = read_raw(src).text
        for label, data in (("utf-16-le, no BOM", text.encode("utf-16-le")),
                            ("utf-16-be, no BOM", text.encode("utf-16-be")),
                            ("utf-16 with BOM (LE)", codecs.BOM_UTF16_LE + text.encode("utf-16-le")),
                            ("utf-16 with BOM (BE)", codecs.BOM_UTF16_BE + text.encode("utf-16-be")),
                            ("gb18030", text.encode("gb18030"))):
            p = tmp_path / f"{src.stem}.txt"
            p.write_bytes(data)
            try:
                got = read_raw(p).text
            except PlantraceError as exc:
                wrong.append(f"{src.name} as {label}: {exc}")
                continue
            if got != text:
                wrong.append(f"{src.name} as {label}: text differs")
    assert wrong == []


@pytest.mark.slow
def test_every_chengdu_paragraph_in_utf16_without_bom(tmp_path: Path) -> None:
    # A paragraph of Han alone has no NUL byte: it was read as GB18030 mojibake, or refused.
    from plantrace.ingest.read import read_raw

    wrong: list[str] = []
    paragraphs = [para for src in sorted(CHENGDU.glob("*.txt"))
                  for para in src.read_text(encoding="utf-8").split("\n") if len(para) >= 10]
    assert len(paragraphs) > 700
    p = tmp_path / "paragraph.txt"
    for para in paragraphs:
        for enc in ("utf-16-le", "utf-16-be"):
            p.write_bytes(para.encode(enc))
            try:
                raw = read_raw(p)
            except PlantraceError as exc:
                wrong.append(f"{para[:20]} as {enc}: {exc.message}")
                continue
            if (raw.text, raw.encoding) != (para, enc):
                wrong.append(f"{para[:20]} as {enc}: read as {raw.encoding}: {raw.text[:20]}")
    assert wrong == []


def _reader_error(p: Path, **kw) -> PlantraceError:  # type: ignore[no-untyped-def]
    from plantrace.ingest.read import read_raw

    with pytest.raises(PlantraceError) as info:
        read_raw(p, **kw)
    assert info.value.file == str(p)
    return info.value


def test_broken_unicode_is_an_error_or_replaced_and_counted(tmp_path: Path) -> None:
    from plantrace.ingest.read import read_raw

    line5 = PARAGRAPHS.split("\n")
    cut = len("\n".join(line5[:4])) + 1 + 3  # inside line 5
    cases = {
        # A UTF-8 file with a BOM and one bad byte in line 5.
        "utf8-bom-bad-byte": (codecs.BOM_UTF8 + PARAGRAPHS[:cut].encode() + b"\xff" + PARAGRAPHS[cut:].encode(),
                              PARAGRAPHS[:cut] + "\ufffd" + PARAGRAPHS[cut:]),
        # UTF-16 (with and without BOM) with a lone surrogate in line 5.
        "utf16-bom-lone-surrogate": (codecs.BOM_UTF16_LE + (PARAGRAPHS[:cut]).encode("utf-16-le") + b"\x00\xd8"
                                     + PARAGRAPHS[cut:].encode("utf-16-le"),
                                     PARAGRAPHS[:cut] + "\ufffd" + PARAGRAPHS[cut:]),
        "utf16le-lone-surrogate": ((PARAGRAPHS[:cut]).encode("utf-16-le") + b"\x00\xd8"
                                   + PARAGRAPHS[cut:].encode("utf-16-le"),
                                   PARAGRAPHS[:cut] + "\ufffd" + PARAGRAPHS[cut:]),
        # UTF-16 with an odd trailing byte (a truncated copy).
        "utf16-bom-odd-byte": (codecs.BOM_UTF16_LE + PARAGRAPHS.encode("utf-16-le") + b"\x4e",
                               PARAGRAPHS + "\ufffd"),
        "utf16be-odd-byte": (PARAGRAPHS.encode("utf-16-be") + b"\x4e", PARAGRAPHS + "\ufffd"),
    }
    for name, (data, lenient) in cases.items():
        p = tmp_path / f"{name}.txt"
        p.write_bytes(data)
        err = _reader_error(p)
        assert "invalid" in err.message and "encoding_errors=replace" in (err.hint or ""), name
        expected_line = 5 if "odd" not in name else PARAGRAPHS.count("\n") + 1
        assert err.line == expected_line, (name, str(err))
        raw = read_raw(p, errors="replace")
        assert (raw.text, raw.replaced) == (lenient, 1), name


def test_replaced_counts_only_replacements(tmp_path: Path) -> None:
    from plantrace.ingest.read import read_raw

    # A U+FFFD already in the file (an earlier tool's replacement) is text, not a replacement.
    parts = [PARAGRAPHS[:100], PARAGRAPHS[100:500] + "\ufffd" + PARAGRAPHS[500:700], PARAGRAPHS[700:1000]]
    data = parts[0].encode() + b"\xff" + parts[1].encode() + b"\xfe" + parts[2].encode()
    p = tmp_path / "two_bad.txt"
    p.write_bytes(data)
    assert read_raw(p, errors="replace").replaced == 2
    assert read_raw(p, encoding="utf-8", errors="replace").replaced == 2


def _one_document_corpus(tmp_path: Path, src: Path, data: bytes, extra: dict[str, str]) -> Path:
    root = tmp_path / "c"
    root.mkdir(parents=True)
    (root / src.name).write_bytes(data)
    row = next(r for r in ROWS if r.startswith(src.stem + ","))
    keys = "".join("," + k for k in extra)
    vals = "".join("," + v for v in extra.values())
    (root / "manifest.csv").write_text(f"{HEADER}{keys}\n{row}{vals}\n", encoding="utf-8")
    return root


def test_declared_encoding_that_gives_mojibake_is_an_error(tmp_path: Path) -> None:
    import plantrace

    src = CHENGDU / "qingyang_2021_plan_outline.txt"
    root = _one_document_corpus(tmp_path / "a", src, src.read_bytes(), {"encoding": "utf-16"})
    with pytest.raises(PlantraceError) as info:
        plantrace.load_corpus(root, store=False)
    err = info.value
    assert err.file == str(root / src.name)
    assert "declared encoding utf-16 gives implausible text" in err.message
    assert "reads cleanly as utf-8" in err.message and "encoding=utf-8" in (err.hint or "")
    # UTF-16-BE declared for a little-endian file.
    root = _one_document_corpus(tmp_path / "b", src, QINGYANG.encode("utf-16-le"), {"encoding": "utf-16-be"})
    with pytest.raises(PlantraceError, match=r"utf-16-be.*reads cleanly as utf-16-le") as info:
        plantrace.load_corpus(root, store=False)
    assert "encoding=utf-16-le" in (info.value.hint or "")
    # The right declaration still reads the document.
    root = _one_document_corpus(tmp_path / "c", src, QINGYANG.encode("gb18030"), {"encoding": "gb18030"})
    assert plantrace.load_corpus(root, store=False)["qingyang_2021_plan_outline"].raw == QINGYANG


def test_skip_bad_skips_broken_unicode_with_the_reason(tmp_path: Path) -> None:
    import plantrace

    src = CHENGDU / "qingyang_2021_plan_outline.txt"
    root = _chengdu_copy(tmp_path, "\n".join(MANIFEST_LINES) + "\n")
    (root / src.name).write_bytes(codecs.BOM_UTF16_LE + QINGYANG.encode("utf-16-le") + b"\x4e")
    with pytest.raises(PlantraceError, match="invalid utf-16 byte sequence"):
        plantrace.load_corpus(root, store=False)
    corpus = plantrace.load_corpus(root, store=False, skip_bad=True)
    assert len(corpus) == 4
    assert [(f, r) for f, r in corpus.skipped if f == str(root / src.name)] != []
    assert "invalid utf-16 byte sequence" in corpus.skipped[0][1]


# ---- 2. lexicon keys lost ----------------------------------------------------------------

LEXICON = ROOT / "toolkit" / "plantrace" / "data" / "planning_concepts.yaml"
LEX_TEXT = LEXICON.read_text(encoding="utf-8")
LEX_LINES = LEX_TEXT.splitlines()
FIRST_ALIASES = next(i for i, ln in enumerate(LEX_LINES) if ln.strip().startswith("aliases:"))  # 0-based


def _lexicon_error(tmp_path: Path, text: str, name: str = "lex.yaml") -> PlantraceError:
    from plantrace.concepts.lexicon import load_lexicon

    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    with pytest.raises(PlantraceError) as info:
        load_lexicon(p)
    assert info.value.file == str(p)
    return info.value


def _with_line(index: int, line: str, replace: bool = False) -> str:
    lines = list(LEX_LINES)
    lines[index:index + int(replace)] = [line]
    return "\n".join(lines) + "\n"


def test_bundled_lexicon_still_loads() -> None:
    from plantrace.concepts.lexicon import load_lexicon

    lex = load_lexicon(LEXICON)
    assert len(lex.concepts) == 187
    assert lex.concepts["affordable_housing"].aliases == ("保障性住房", "保障性租赁住房", "保障房")


def test_yaml_keys_written_twice_are_errors(tmp_path: Path) -> None:
    # A second concepts: block once discarded all 187 concepts of the first.
    text = LEX_TEXT + "concepts:\n  - {id: park_city_extra, label: 公园城市示范区}\n"
    err = _lexicon_error(tmp_path, text)
    assert isinstance(err, ValidationError)
    assert err.line == len(LEX_LINES) + 1
    first = next(i for i, ln in enumerate(LEX_LINES) if ln.startswith("concepts:")) + 1
    assert f"key 'concepts' is written twice (first on line {first})" in str(err)
    # aliases: written twice in one concept kept the last, and `lexicon check` said OK.
    err = _lexicon_error(tmp_path, _with_line(FIRST_ALIASES + 1, "    aliases: [保障房]"))
    assert err.line == FIRST_ALIASES + 2 and "key 'aliases' is written twice" in str(err)
    # At any depth: a category described twice; both repeats listed at once.
    cat = next(i for i, ln in enumerate(LEX_LINES) if ln.strip().startswith("economy:"))
    text = _with_line(cat + 1, '  economy: "again"')
    text = text.replace("    category: livelihood\n", "    category: livelihood\n    category: economy\n", 1)
    err = _lexicon_error(tmp_path, text)
    assert err.problems[0].line == cat + 2 and len(err.problems) == 2


def test_lexicon_values_of_the_wrong_type_are_errors(tmp_path: Path) -> None:
    aliases = LEX_LINES[FIRST_ALIASES]
    id_line = FIRST_ALIASES - 3
    assert LEX_LINES[id_line].startswith("  - id: ")
    cases = {
        "    aliases: [保障性住房, {zh: 保障房, line: 7}]": "an alias of concept 'affordable_housing' is a mapping",
        "    aliases: [保障性住房, [保障房, 保障性租赁住房]]": "is a list",
        "    aliases: [保障性住房, 2035]": "is a number (2035)",
        "    aliases: {zh: 保障房}": "aliases of concept 'affordable_housing' is a mapping, not a list",
        "    alias: [保障房]": "a misspelt 'aliases'",
    }
    for line, message in cases.items():
        err = _lexicon_error(tmp_path, _with_line(FIRST_ALIASES, line, replace=True))
        assert message in str(err), (line, str(err))
        assert err.line == id_line + 1  # the concept's line (its `- id:`)
    assert aliases.startswith("    aliases:")
    err = _lexicon_error(tmp_path, _with_line(id_line, "  - id: 2035", replace=True))
    assert "id of concept on line" in str(err) and "not a string" in str(err)
    err = _lexicon_error(tmp_path, _with_line(id_line + 1, "    label: [保障性住房]", replace=True))
    assert "label of concept 'affordable_housing' is a list, not a string" in str(err)


def test_yaml_anchors_and_aliases_are_refused(tmp_path: Path) -> None:
    # Small enough that an old loader builds it (a note that repeats a string 27 times).
    small = LEX_TEXT.replace('    note: "Affordable', '    note: &n "Affordable', 1)
    first_note = next(i for i, ln in enumerate(LEX_LINES) if ln.strip().startswith("note:"))
    err = _lexicon_error(tmp_path, small + "extra: [*n, *n, *n]\n")
    assert err.line == first_note + 1
    assert "YAML anchors/aliases are not allowed in lexicons" in str(err)
    # Billion laughs, under a key nobody reads: refused before anything is built.
    bomb = ['a: &a ["哈哈哈哈哈哈哈哈"]'] + [
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]" for i in range(9)]
    err = _lexicon_error(tmp_path, LEX_TEXT + "\n".join(bomb) + "\n")
    assert "YAML anchors/aliases are not allowed" in str(err) and err.line == len(LEX_LINES) + 1
    # A merge key is an alias too.
    err = _lexicon_error(tmp_path, LEX_TEXT + "defaults: &d {category: green}\nother: {<<: *d}\n")
    assert "anchors/aliases" in str(err)


def _bundled_pairs() -> list[tuple[str, str]]:
    from plantrace.concepts.lexicon import load_lexicon

    return [(c.id, a) for c in load_lexicon(LEXICON).concepts.values() for a in c.aliases]


@pytest.mark.parametrize("encoding,bom", [("gb18030", b""), ("gbk", b""), ("gb18030", b"\x84\x31\x95\x33"),
                                          ("utf-8", b"\xef\xbb\xbf")])
def test_lexicon_csv_saved_by_excel_on_chinese_windows(tmp_path: Path, encoding: str, bom: bytes) -> None:
    from plantrace.concepts.lexicon import load_lexicon

    pairs = _bundled_pairs()
    for n in (len(pairs), 12):  # the whole bundled lexicon, and a quick one of 12 rows
        text = "concept,alias\r\n" + "".join(f"{c},{a}\r\n" for c, a in pairs[:n])
        p = tmp_path / f"quick_{n}.csv"
        p.write_bytes(bom + text.encode(encoding))
        lex = load_lexicon(p)
        assert sorted((cid, a) for cid, c in lex.concepts.items() for a in c.aliases) == sorted(pairs[:n])


def test_lexicon_csv_row_with_more_cells(tmp_path: Path) -> None:
    err = _lexicon_error(tmp_path, "concept,alias\npark,公园城市,公園城市\nchengyu,成渝地区双城经济圈\n", "q.csv")
    assert err.line == 2 and "row has 3 cells" in str(err)


# ---- 4. traditional text declared simplified ---------------------------------------------

def test_no_bundled_simplified_document_trips_the_script_check() -> None:
    from plantrace.ingest.read import read_raw
    from plantrace.text.normalise import MISMATCH_THRESHOLD, _t2s_changes, detect_script, script_mismatch

    tripped, highest = [], 0.0
    for src in BUNDLED:  # 103 simplified; the 1954 and 1957 reports, two Chengdu documents
        text = read_raw(src).text
        changed, total = _t2s_changes(text, 60_000)
        traditional = detect_script(text) == "traditional"
        if script_mismatch("simplified", text) and not traditional:
            tripped.append(src.name)
        if not traditional:
            highest = max(highest, changed / total)
    assert tripped == []
    assert highest * 50 < MISMATCH_THRESHOLD  # the margin the docstring claims


@pytest.mark.slow
def test_traditional_text_declared_simplified_is_converted_and_flagged(tmp_path: Path) -> None:
    import plantrace

    doc_id = "chengdu_2020_party_proposal"
    src = CHENGDU / f"{doc_id}.txt"
    row = next(r for r in ROWS if r.startswith(doc_id + ","))
    assert row.endswith(",traditional")
    roots = {}
    for script in ("traditional", "simplified"):
        roots[script] = root = tmp_path / f"declared_{script}"
        root.mkdir()
        shutil.copy(src, root / src.name)
        (root / "manifest.csv").write_text(HEADER + "\n" + row[:-len("traditional")] + script + "\n",
                                           encoding="utf-8")
    original = plantrace.load_corpus(roots["traditional"], store=False)
    wrong = plantrace.load_corpus(root, store=False)
    want = original.counts().set_index("concept_id")["count"]
    got = wrong.counts().set_index("concept_id")["count"]
    assert want.sum() > 20
    assert got.to_dict() == want.to_dict()
    doc = wrong[doc_id]
    assert doc.config.script == "traditional" and doc.text == original[doc_id].text
    assert "declared script=simplified" in doc.script_warning
    assert wrong.warnings == [(str(root / src.name), doc.script_warning)]
    frame = wrong.to_frame()
    assert frame.loc[0, "script_warning"] == doc.script_warning
    assert original.to_frame()["script_warning"].eq("").all()
    # The store must not hand back the unconverted text built under the old rule.
    stored = plantrace.load_corpus(root, store=tmp_path / "store.duckdb")
    again = plantrace.load_corpus(root, store=tmp_path / "store.duckdb")
    assert stored[doc_id].text == again[doc_id].text == original[doc_id].text
    assert again[doc_id].script_warning == doc.script_warning


# ---- the command line: exit 2, one line naming file and line, never a traceback ----------

def _cli_cases(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    rows = list(ROWS)
    rows[1] = _with_title(rows[1], '"成都市青羊区国民经济')
    unclosed = _chengdu_copy(tmp_path / "unclosed", "\n".join([HEADER] + rows) + "\n")
    rows = list(ROWS)
    rows[3] = _with_title(rows[3], "新都区" * 50_000)
    huge = _chengdu_copy(tmp_path / "huge", "\n".join([HEADER] + rows) + "\n")
    src = CHENGDU / "qingyang_2021_plan_outline.txt"
    declared = _one_document_corpus(tmp_path / "declared", src, src.read_bytes(), {"encoding": "utf-16"})
    odd = _one_document_corpus(tmp_path / "odd", src, codecs.BOM_UTF16_LE + QINGYANG.encode("utf-16-le") + b"N", {})
    lex = tmp_path / "lex.yaml"
    lex.write_text(_with_line(FIRST_ALIASES + 1, "    aliases: [保障房]"), encoding="utf-8")
    return {
        "unclosed quote": (["corpus", str(unclosed)], f"{unclosed / 'manifest.csv'}:3: a quote opened on line 3"),
        "cell over 128 KiB": (["corpus", str(huge)], f"{huge / 'manifest.csv'}:5: a cell is longer than 128 KiB"),
        "declared encoding": (["corpus", str(declared)], f"{declared / src.name}: declared encoding utf-16"),
        "odd trailing byte": (["corpus", str(odd)], f"{odd / src.name}:"),
        "aliases twice": (["lexicon", "check", str(lex)], f"{lex}:{FIRST_ALIASES + 2}: key 'aliases' is written twice"),
    }


def test_cli_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from plantrace.cli import app

    for name, (args, fragment) in _cli_cases(tmp_path).items():
        result = CliRunner().invoke(app, ["-q", "--no-store", *args])
        assert result.exit_code == 2, (name, result.exit_code, result.output[-500:])
        assert "Traceback" not in result.output and "internal error" not in result.output, name
        assert fragment in result.output and "(fix: " in result.output, (name, result.output[-500:])
