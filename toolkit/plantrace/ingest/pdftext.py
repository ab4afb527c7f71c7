"""PDF text extraction with pdfplumber: the extracted text is the document's raw text.

Chosen by measurement on Chinese PDFs printed by Chromium and LibreOffice
(``benchmarks/pdf_extractors.py``): pdfplumber puts the fewest spaces inside and next
to Chinese words, keeps reading order as well as the others, and is MIT-licensed.
PyMuPDF, close in quality and 10-20x faster, is AGPL-3.0: plantrace's own code would
stay MIT, but as a hard dependency every installation would run AGPL code, and whoever
distributes plantrace with it or offers it as a network service would have to meet the
AGPL for the whole (or buy Artifex's commercial licence).

The raw text keeps the page's layout, so every later change is an explained,
offset-keeping normaliser step (``remove_page_furniture`` in :mod:`plantrace.normalise`):

* lines in page order (top to bottom; pdfplumber clusters characters into lines by
  position), running headers and footers included, as printed;
* one ``\\n`` after a line that runs on (it reaches the text column's right edge and the
  next line is not indented): a wrap, possibly inside a word;
* ``\\n\\n`` after a line that ends a paragraph (short, or the next line is indented);
* ``\\f`` at the end of every page;
* characters as the PDF's ToUnicode maps give them: a ligature ``ﬁ`` or a Kangxi radical
  ``⾦`` for 金 is folded later by the ``fold_compatibility`` step.

A PDF with no text layer (a scan) raises :class:`PlantraceError` here, before zone
detection could call it "only front or back matter".
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from ..errors import PlantraceError

# pdfminer logs a WARNING per glyph of a Type 3 font without a FontBBox (Chromium prints
# its fallback fonts so); Python's last-resort handler would print each on stderr.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

#: Line-end punctuation after which a line short of the right edge ends its paragraph.
_TERMINAL = tuple("。！？；：!?;:”」』）)")
#: A page is a scan when an image covers half of it and fewer characters than this stand
#: on it (a browser printing a scan adds its header and footer, ~80-150 characters).
_SCAN_PAGE_CHARS = 200
_OCR_HINT = ("run OCR first, e.g. `ocrmypdf -l chi_sim+eng IN.pdf OUT.pdf` (Debian: apt-get install "
             "ocrmypdf tesseract-ocr-chi-sim), and list the OCRed PDF in the manifest")


def _line_breaks(lines: list[dict], width: float) -> list[str]:
    """The separator after each line of one page: ``\\n`` (wrap) or ``\\n\\n`` (paragraph end)."""
    if not lines:
        return []
    # The text column's edges, leaving out the page's first and last lines (running
    # headers and footers may stand wider than the column): its right edge is the widest
    # line's, its left edge the leftmost line's of at least 8 characters (on a page of
    # short paragraphs most lines are indented first lines).
    inner = lines[1:-1] if len(lines) > 2 else lines
    right = max(ln["x1"] for ln in inner)
    left = min((ln["x0"] for ln in inner if len(ln["text"]) >= 8), default=min(ln["x0"] for ln in inner))
    out = []
    for i, ln in enumerate(lines):
        em = max(ln["bottom"] - ln["top"], 1.0)
        gap = right - ln["x1"]
        text = ln["text"].rstrip()
        # A full line runs on; Latin words and digits that would not fit leave a gap of a
        # few characters, so a line that does not close a sentence may stop 4 em short.
        # A line narrower than half the page (a table cell, a centred heading) never does.
        runs_on = (ln["x1"] - ln["x0"] >= width / 2
                   and (gap <= 1.2 * em or (gap <= 4 * em and not text.endswith(_TERMINAL))))
        # The next line indented (a Chinese paragraph's 2-character first-line indent) or
        # far below (paragraph spacing) starts a new paragraph; the page's last line is
        # left out of this test, as it may be a footer.
        if 0 < i + 1 < len(lines) - 1:
            nxt = lines[i + 1]
            indented = nxt["x0"] - left >= 1.5 * em
            spaced = nxt["top"] - ln["bottom"] > 1.2 * em
            runs_on = runs_on and not indented and not spaced
        elif text.endswith(_TERMINAL):
            # At the page's end the next line (on the next page, after its header) is out
            # of sight: a full line that closes a sentence ends its paragraph there, so a
            # heading at the top of the next page is never glued to it.
            runs_on = False
        out.append("\n" if runs_on else "\n\n")
    return out


def read_pdf_text(path: str | Path) -> str:
    """The text of the PDF at ``path``, laid out as the module docstring describes."""
    p = Path(path)
    try:
        import pdfplumber
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise PlantraceError("reading PDF needs pdfplumber", file=str(p),
                             hint="pip install pdfplumber (a dependency of plantrace: reinstall it)") from exc
    pages: list[str] = []
    scans = 0  # pages that are an image with (almost) no text on them
    try:
        with pdfplumber.open(str(p)) as pdf:
            for page in pdf.pages:
                # Ligatures (ﬁ) stay as the PDF has them: the normaliser's fold_compatibility
                # step folds them with the Kangxi radicals, explained and offset-kept.
                lines = page.extract_text_lines(strip=True, return_chars=False, expand_ligatures=False)
                lines = [ln for ln in lines if ln["text"].strip()]
                seps = _line_breaks(lines, float(page.width))
                text = "".join(ln["text"] + sep for ln, sep in zip(lines, seps))
                pages.append(text)
                area = float(page.width) * float(page.height) or 1.0
                covered = max((float(im["width"]) * float(im["height"]) / area for im in page.images), default=0.0)
                chars = len(re.sub(r"\s", "", text))
                if (covered >= 0.5 and chars < _SCAN_PAGE_CHARS) or (page.images and chars < 10):
                    scans += 1
    except PlantraceError:
        raise
    except Exception as exc:  # pdfminer raises many types for a damaged or encrypted file
        name = exc.__class__.__name__
        if "Password" in name or "Encrypt" in name:
            raise PlantraceError("is an encrypted PDF (a password is needed to read its text)", file=str(p),
                                 hint="open it with the password and save an unencrypted copy "
                                      "(e.g. qpdf --password=PW --decrypt IN.pdf OUT.pdf)") from exc
        raise PlantraceError(f"not a readable PDF ({name}: {exc})", file=str(p),
                             hint="check the file opens in a PDF viewer; re-save it from the viewer, "
                                  "or convert it to text first") from exc
    # Most pages scans: the text there is (at most) a browser's header and footer, and any
    # count would be of the few pages that have text. An OCRed PDF has its text layer.
    if scans > len(pages) / 2:
        raise PlantraceError(
            f"has no text layer (a scanned image: {scans} of {len(pages)} page(s) are images without "
            "text); it needs OCR first", file=str(p), hint=_OCR_HINT)
    if not any(t.strip() for t in pages):
        raise PlantraceError(f"has no text ({len(pages)} page(s) without characters)", file=str(p),
                             hint="check the file is the document; if its pages are drawings of text, "
                                  + _OCR_HINT)
    # \f ends every page (as pdftotext's output does), a one-page PDF's too: it marks the
    # text as paged for the normaliser's remove_page_furniture step.
    return "".join(page + "\f" for page in pages)
