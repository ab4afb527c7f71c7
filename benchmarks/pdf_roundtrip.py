"""Whole bundled documents printed to PDF and read back: do the counts stay the same?

    python benchmarks/pdf_roundtrip.py [OUT_DIR]

Needs what ``make pdf-fixtures`` installs (chromium, LibreOffice writer, a CJK font). The
committed fixtures are excerpts (< 200 KB each); this prints whole documents (up to 40
pages, 2.6 MB a PDF) and compares, per document, concept counts, body characters and
sentences of the text version and of its PDF, and lists the body's differences.

Printed on 2026-12-02:

| document | printed by | pages | extraction s | mentions txt / pdf | concepts differing | body chars txt / pdf |
|---|---|---|---|---|---|---|
| qingyang_2021_plan_outline | Chromium, justified | 32 | 3.1 | 367 / 367 | 0 | 39,444 / 39,444 |
| tianfu_2022_development_plan_draft | Chromium, justified | 25 | 3.2 | 333 / 333 | 0 | 28,990 / 28,990 |
| gwr_national_2024 | LibreOffice, - N - | 16 | 2.2 | 240 / 240 | 0 | 17,230 / 17,230 |
| gwr_2025_sichuan | LibreOffice, 第 N 页 共 M 页 | 24 | 2.9 | 201 / 201 | 0 | 22,146 / 22,146 |

Body differences left: a space pdfplumber reads from LibreOffice's Chinese-Latin
autospace (首颗 AI, 全省 PM2.5, 大飞机 C919; remove_cjk_spaces keeps Han-Latin spaces), and
spaces the Tianfu source text has after ASCII commas and before Latin (结构, 优先; 场景 APP),
which Chromium prints narrower than pdfplumber's space threshold. No count changes. The national report's sentences differ (521 / 537) in the back matter only:
the Wikisource footer's link breaks, which rejoin_lines joins in the .txt, are separate
paragraphs in the PDF.
"""

from __future__ import annotations

import csv
import difflib
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "pdf"))
sys.path.insert(0, str(ROOT / "toolkit"))

import make_fixtures  # noqa: E402

import plantrace  # noqa: E402
from plantrace.ingest.pdftext import read_pdf_text  # noqa: E402

C = ROOT / "corpora"
DOCS = [
    ("qingyang_2021_plan_outline", C / "chengdu/qingyang_2021_plan_outline.txt", "chromium", None),
    ("tianfu_2022_development_plan_draft", C / "chengdu/tianfu_2022_development_plan_draft.txt", "chromium", None),
    ("gwr_national_2024", C / "gwr-national/texts/gwr_national_2024.txt", "writer", "- {PAGE} -"),
    ("gwr_2025_sichuan", C / "gwr-provincial-2025/texts/gwr_2025_sichuan.txt", "writer", "第 {PAGE} 页 共 {NUMPAGES} 页"),
]


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="pdf-roundtrip-"))
    out.mkdir(parents=True, exist_ok=True)
    make_fixtures.HERE = out
    make_fixtures.WORK.mkdir(exist_ok=True)
    print("| document | printed by | pages | extraction s | mentions txt / pdf | concepts differing "
          "| body chars txt / pdf |\n|---|---|---|---|---|---|---|")
    for doc_id, src, how, footer in DOCS:
        text = src.read_text(encoding="utf-8")
        if how == "chromium":
            make_fixtures.chromium_pdf(doc_id, doc_id, text, "justify")
        else:
            make_fixtures.writer_pdf(doc_id, doc_id, text, footer)
        folder = out / doc_id
        folder.mkdir(exist_ok=True)
        (folder / "t.txt").write_text(text, encoding="utf-8")
        (folder / "p.pdf").write_bytes((out / f"{doc_id}.pdf").read_bytes())
        with open(folder / "manifest.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow("doc_id,file,title,issuer,level,region,parent_region,year,date,doc_type,script".split(","))
            for d, fn, y in (("txt", "t.txt", 2021), ("pdf", "p.pdf", 2022)):
                w.writerow([d, fn, doc_id, "x", "city", "成都市", "四川省", y, "", "plan", "auto"])
        t0 = time.perf_counter()
        pages = read_pdf_text(folder / "p.pdf").count("\f")
        seconds = time.perf_counter() - t0
        corpus = plantrace.load_corpus(folder, store=False)
        counts = corpus.counts()
        by = {d: dict(zip(g["concept_id"], g["count"])) for d, g in counts.groupby("doc_id")}
        t, p = by.get("txt", {}), by.get("pdf", {})
        differing = {c: (t.get(c, 0), p.get(c, 0)) for c in set(t) | set(p) if t.get(c, 0) != p.get(c, 0)}
        bt, bp = corpus["txt"].body_chars, corpus["pdf"].body_chars
        print(f"| {doc_id} | {how} | {pages} | {seconds:.1f} | {sum(t.values())} / {sum(p.values())} | "
              f"{len(differing)} | {bt:,} / {bp:,} |")
        if differing:
            print("  differing concepts (txt, pdf):", differing, file=sys.stderr)
        a = corpus["txt"].body_text.replace("\n", "")
        b = corpus["pdf"].body_text.replace("\n", "")
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if op != "equal":
                print(f"  {doc_id} body {op}: {a[max(0, i1 - 8):i2 + 8]!r} -> {b[max(0, j1 - 8):j2 + 8]!r}",
                      file=sys.stderr)


if __name__ == "__main__":
    main()
