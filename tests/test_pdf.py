"""PDF ingest: PDFs printed the way offices print them count as their text versions.

The fixtures (tests/fixtures/pdf/, made by make_fixtures.py there) are excerpts of
bundled texts printed by headless Chromium (header: date and title; footer: file URL
and 1/5) and by LibreOffice writer from a .docx (header: title; footer 第 N 页 共 M 页 or
- N -), a page with Kangxi radicals and a ﬁ ligature, and a scan without a text layer.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import plantrace
from plantrace.cli import app
from plantrace.errors import PlantraceError
from plantrace.ingest.pdftext import read_pdf_text
from plantrace.text.normalise import STEPS, NormaliserConfig, normalise_mapped, normalise_text

FIXTURES = Path(__file__).parent / "fixtures" / "pdf"
COLUMNS = "doc_id,file,title,issuer,level,region,parent_region,year,date,doc_type,script".split(",")

# fixture -> (text version, script, hand-read counts of a few concepts in the text version:
# occurrences of the alias in NAME.txt, read and counted in the excerpt)
PRINTED = {
    "qingyang_chromium": ("qingyang_chromium.txt", "simplified",
                          {"high_quality_development": 4, "headquarters_economy": 3,
                           "new_development_philosophy": 4, "business_environment": 1}),
    "national2024_chromium": ("national2024_chromium.txt", "simplified", {"high_quality_development": 4}),
    "sichuan_writer": ("sichuan_writer.txt", "simplified", {"high_quality_development": 2}),
    "chengdu_writer": ("chengdu_writer.txt", "traditional", {"chengyu_economic_circle": 3}),
    "ligature_chromium": ("ligature.txt", "simplified", {"high_quality_development": 1}),
}

# Differences left in the normalised body: pdfplumber reads LibreOffice's Asian-Latin
# autospace as a space; remove_cjk_spaces removes Han-Han and Han-digit spaces only.
KNOWN_SPACES = {"sichuan_writer": [("首颗 AI大模型", "首颗AI大模型")]}


def corpus_of(tmp_path: Path, files: dict[str, Path], script: str = "simplified") -> Path:
    root = tmp_path / "corpus"
    root.mkdir(exist_ok=True)
    with open(root / "manifest.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for year, (doc_id, src) in enumerate(files.items(), start=2021):
            shutil.copy(src, root / src.name)
            w.writerow([doc_id, src.name, doc_id, "青羊区人民政府", "district", "成都市青羊区", "成都市", year,
                        "", "plan_outline", script])
    return root


def concept_counts(corpus: plantrace.Corpus, doc_id: str) -> dict[str, int]:
    df = corpus.counts()
    return dict(zip(df.loc[df["doc_id"] == doc_id, "concept_id"], df.loc[df["doc_id"] == doc_id, "count"]))


@pytest.fixture(scope="module", params=sorted(PRINTED))
def printed(request, tmp_path_factory):  # type: ignore[no-untyped-def]
    name = request.param
    txt, script, expected = PRINTED[name]
    root = corpus_of(tmp_path_factory.mktemp(name), {"text": FIXTURES / txt, "pdf": FIXTURES / f"{name}.pdf"},
                     script)
    return name, plantrace.load_corpus(root, store=False), expected


# --- counts equal the text version's -------------------------------------------------------

def test_pdf_counts_equal_the_text_versions(printed) -> None:  # type: ignore[no-untyped-def]
    name, corpus, expected = printed
    text, pdf = concept_counts(corpus, "text"), concept_counts(corpus, "pdf")
    for concept, n in expected.items():
        assert text.get(concept) == n, (name, concept, text.get(concept))
    differences = {c: (text.get(c, 0), pdf.get(c, 0)) for c in sorted(set(text) | set(pdf))
                   if text.get(c, 0) != pdf.get(c, 0)}
    print(name, "concepts:", len(text), "differences (text, pdf):", differences)
    assert differences == {}
    assert len(text) >= 2


def test_pdf_body_and_zones_equal_the_text_versions(printed) -> None:  # type: ignore[no-untyped-def]
    name, corpus, _ = printed
    text, pdf = corpus["text"], corpus["pdf"]
    assert pdf.source_format == "pdf"
    assert [z.name for z in pdf.zones] == [z.name for z in text.zones]
    # Same body, character for character, once line breaks are set aside (the PDF's
    # paragraph breaks are its layout's; the sentences and counts are the same), but for
    # the spaces the extractor reads from LibreOffice's gap between Chinese and Latin.
    flat = pdf.body_text.replace("\n", "")
    for got, want in KNOWN_SPACES.get(name, []):
        assert flat.count(got) == 1, (name, got)
        flat = flat.replace(got, want)
    assert flat == text.body_text.replace("\n", ""), name
    assert len(pdf.sentences) == len(text.sentences)
    assert [h.text for h in pdf.headings] == [h.text for h in text.headings]


# --- page furniture --------------------------------------------------------------------------

def test_running_headers_and_footers_are_not_in_the_body(printed) -> None:  # type: ignore[no-untyped-def]
    name, corpus, _ = printed
    doc, body = corpus["pdf"], corpus["pdf"].body_text
    pages = doc.raw.count("\f")
    if name.endswith("_chromium"):
        # The raw text keeps them (Chromium's font prints the URL with a ﬁ ligature).
        assert f"1/{pages}" in doc.raw and re.search("(ﬁ|fi)le:///tmp/plantrace-(ﬁ|fi)xtures/", doc.raw)
        assert "file://" not in doc.text and not re.search(r"\d/\d+/\d+, \d+:\d+ [AP]M", doc.text)
        assert not any(f"{i}/{pages}" in body for i in range(1, pages + 1))
    elif name == "sichuan_writer":
        assert f"第 1 页 共 {pages} 页" in doc.raw
        assert "页 共" not in doc.text
        # The running title: once in the text (its first line), as in the text version.
        assert doc.text.count("2025年四川省政府工作报告") == 1
    elif name == "chengdu_writer":
        assert "- 1 -" in doc.raw and "- 1 -" not in doc.text and "- 2 -" not in doc.text
        assert "中共成都市委關於制定" not in doc.text
    assert "\f" not in doc.text


def test_wraps_inside_words_are_joined_with_raw_offsets_into_the_extracted_text(tmp_path: Path) -> None:
    root = corpus_of(tmp_path, {"q": FIXTURES / "qingyang_chromium.pdf", "c": FIXTURES / "chengdu_writer.pdf"})
    corpus = plantrace.load_corpus(root, store=False)
    q = corpus["q"]
    # Read from the extracted text: 总部经济 is broken at a line end on page 1.
    s, e = q.find("第一。以总部经济为引领")
    assert q.raw_span(s, e) == "第一。以总部经\n济为引领"
    c = corpus["c"]  # declared simplified in this manifest, but the raw is traditional:
    # the script check converts it (and says so), the citation stays the raw PDF text.
    assert c.script_warning
    s, e = c.find("建设成渝地区双城经济圈")
    assert c.raw_span(s, e) == "建設成渝地區\n雙城經濟圈"


def test_a_sentence_running_across_a_page_break_is_joined() -> None:
    # Page 1 ends mid-sentence (one \n: the line runs on), its footer and page 2's header
    # stand between the halves.
    raw = ("标题\n\n推动成渝地区双城经济圈建设，加快建设\n第 1 页 共 2 页\n\f"
           "标题\n\n践行新发展理念的公园城市示范区。\n\n第 2 页 共 2 页\n\f")
    mapped, _, _ = normalise_mapped(raw)
    assert mapped.text == "推动成渝地区双城经济圈建设，加快建设践行新发展理念的公园城市示范区。\n"
    s = mapped.text.index("建设践行")
    assert raw[mapped.raw_span(s, s + 4)[0]:mapped.raw_span(s, s + 4)[1]] == (
        "建设\n第 1 页 共 2 页\n\f标题\n\n践行")


@pytest.mark.parametrize("mark", ["1/35", "- 12 -", "— 3 —", "第 3 页", "第3页 共35页", "共35页 第3页", "Page 3 of 35"])
def test_page_number_lines_go_even_on_one_page(mark: str) -> None:
    raw = f"推动高质量发展。\n\n{mark}\n\f"
    assert normalise_text(raw) == "推动高质量发展。\n"


def test_a_line_repeated_at_the_same_place_goes_and_other_lines_stay() -> None:
    body = ["推动高质量发展。", "建设公园城市示范区。", "深化金融体制改革。", "扩大内需。"]
    raw = "".join(f"四川省人民政府 2025年{n}月\n\n{line}\n\n{n}\n\f" for n, line in enumerate(body, 1))
    assert normalise_text(raw) == "\n\n".join(body) + "\n"
    # A number that closes one page only is a table cell, not a page number.
    raw = "指标\n\n2020年\n\n22\n\n\f正文第二页，推动高质量发展，内容较长。\n\n没有页码\n\n\f"
    assert normalise_text(raw) == "指标\n\n2020年\n\n22\n\n正文第二页，推动高质量发展，内容较长。\n\n没有页码\n"


def test_text_without_page_breaks_is_left_alone() -> None:
    raw = "第 3 页\n推动高质量\n发展。\n- 12 -\n"
    assert STEPS["remove_page_furniture"](raw) == raw
    cfg = NormaliserConfig(remove_page_furniture=False)
    # remove_cjk_spaces and remove_invisibles still run: 第 1 页 → 第1页, the \f goes.
    assert normalise_text("推动高质量\n发展。\n\n第 1 页\n\f", cfg) == "推动高质量\n发展。\n\n第1页\n"


PAGED = st.lists(st.sampled_from(["推动", "高质量", "发展", "。", "\n", "\n\n", "\f", "第 3 页", "- 12 -", "1/35",
                                   " ", "abc", "12", "\u3000", "ﬁ", "⾦"]), max_size=40).map("".join)


@settings(max_examples=500, deadline=None)
@given(PAGED)
def test_paged_text_normalises_idempotently_with_valid_offsets(text: str) -> None:
    mapped, resolved, _ = normalise_mapped(text, NormaliserConfig(script="simplified"))
    assert "\f" not in mapped.text
    assert list(mapped.starts) == sorted(mapped.starts)
    assert all(0 <= s < e <= len(text) for s, e in zip(mapped.starts.tolist(), mapped.ends.tolist()))
    assert normalise_text(mapped.text, resolved) == mapped.text


# --- ligatures and compatibility characters --------------------------------------------------

def test_ligature_and_kangxi_radicals_are_folded_with_raw_offsets(tmp_path: Path) -> None:
    import pdfplumber

    pdf = FIXTURES / "ligature_chromium.pdf"
    with pdfplumber.open(str(pdf)) as p:  # the fixture's text layer holds them
        layer = p.pages[0].extract_text(expand_ligatures=False)
    assert "ﬁntech" in layer and "\u2fa6融" in layer  # ⾦ KANGXI RADICAL GOLD
    raw = read_pdf_text(pdf)
    assert "ﬁntech" in raw and raw.count("\u2fa6") == 3
    corpus = plantrace.load_corpus(corpus_of(tmp_path, {"lig": pdf}), store=False)
    doc = corpus["lig"]
    assert "发展fintech与绿色金融" in doc.text and "以人民为中心" in doc.text
    s, e = doc.find("深化金融")
    assert doc.raw_span(s, e) == "深化\u2fa6融"
    s, e = doc.find("fintech")
    assert doc.raw_span(s, e) == "ﬁntech"
    folded = {r.step: r.changes for r in doc.explanation}
    # Runs changed: ⾦ ⾦ ﬁ ⾊⾦ ⼈ ⼼ ⾼ in the body, ﬁle and ﬁxtures in the footer's URL
    # (read from the fixture's text layer).
    assert folded["fold_compatibility"] == 9
    # Full-width punctuation is prose and stays (NFKC on the compatibility ranges only).
    assert "，" in doc.text and "。" in doc.text


# --- a scan without a text layer ---------------------------------------------------------

@pytest.mark.parametrize("name", ["scanned.pdf", "scanned_chromium.pdf"])
def test_scanned_pdf_says_it_needs_ocr(name: str) -> None:
    # scanned_chromium.pdf: a browser printed the scan, so its header and footer are text.
    with pytest.raises(PlantraceError) as info:
        read_pdf_text(FIXTURES / name)
    err = info.value
    assert err.message == ("has no text layer (a scanned image: 1 of 1 page(s) are images without text); "
                           "it needs OCR first")
    assert err.file == str(FIXTURES / name) and "ocrmypdf" in err.hint
    assert "front or back matter" not in str(err)


def test_a_pdf_mostly_of_scanned_pages_needs_ocr_and_one_with_a_picture_page_does_not(tmp_path: Path) -> None:
    import pypdfium2 as pdfium  # pdfplumber's own dependency

    def merge(out: Path, *parts: str) -> Path:
        doc = pdfium.PdfDocument.new()
        for part in parts:
            doc.import_pages(pdfium.PdfDocument(str(FIXTURES / part)))
        doc.save(str(out))
        return out

    mostly_scan = merge(tmp_path / "mostly_scan.pdf", "national2024_chromium.pdf", "scanned.pdf", "scanned.pdf",
                        "scanned.pdf", "scanned.pdf")  # 3 text pages, 4 scanned
    with pytest.raises(PlantraceError, match=r"4 of 7 page\(s\) are images without text"):
        read_pdf_text(mostly_scan)
    # A picture page among text pages (a cover, a map) is read, and its text layer kept.
    with_picture = merge(tmp_path / "with_picture.pdf", "scanned.pdf", "national2024_chromium.pdf")
    text = read_pdf_text(with_picture)
    assert text.count("\f") == 4 and text.startswith("\f") and "各位代表" in text


def test_scanned_pdf_in_a_corpus_exits_2_naming_the_file(tmp_path: Path) -> None:
    root = corpus_of(tmp_path, {"scan": FIXTURES / "scanned.pdf", "ok": FIXTURES / "ligature_chromium.pdf"})
    result = CliRunner().invoke(app, ["corpus", str(root)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    err = result.stderr.strip()
    assert str(root / "scanned.pdf") in err and "no text layer" in err and "needs OCR" in err, err
    assert "ocrmypdf" in err and "front or back matter" not in err
    # And as a process, the way a user runs it.
    proc = subprocess.run([sys.executable, "-c", "from plantrace.cli import main; main()", "corpus", str(root)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()  # one line: no pdfminer warnings, no traceback
    assert len(lines) == 1 and lines[0].startswith(f"plantrace: error: {root / 'scanned.pdf'}: has no text layer"), lines


def test_damaged_pdf_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes((FIXTURES / "ligature_chromium.pdf").read_bytes()[:300])
    with pytest.raises(PlantraceError) as info:
        read_pdf_text(bad)
    assert info.value.file == str(bad) and "PDF" in info.value.message
