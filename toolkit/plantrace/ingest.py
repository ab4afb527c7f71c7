"""Ingest: read .txt (any common Chinese encoding), .docx and .pdf into a raw string.

The raw string is what offsets refer to: citations slice it. Files on disk are
only ever read.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "gbk.txt"
>>> _ = p.write_bytes("推动成渝地区双城经济圈建设，打造西部经济中心。".encode("gb18030"))
>>> r = read_raw(p)
>>> r.text[:6], r.encoding
('推动成渝地区', 'gb18030')
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import PlantraceError

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Encodings a Chinese document is realistically in; charset-normalizer is asked to
# choose among these only, so GBK text is never "detected" as Korean cp949.
CANDIDATE_ENCODINGS = ("utf_8", "gb18030", "big5", "big5hkscs", "utf_16", "utf_32")
# charset-normalizer's default mess threshold (0.2) rejects real GB18030 government
# reports (long runs of Han without spaces score ~0.23: e.g. the 1957 and 1982 national
# reports). Among Chinese candidates only, 0.35 accepts them and still refuses random bytes.
CHAOS_THRESHOLD = 0.35
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE,
         codecs.BOM_UTF16_BE)


@dataclass(frozen=True)
class RawText:
    text: str
    encoding: str
    source_format: str  # txt, docx or pdf
    bytes: int
    #: Invalid byte sequences replaced by U+FFFD (only when asked for with errors="replace").
    replaced: int = 0


def _decode_txt(data: bytes, name: str, errors: str = "strict") -> tuple[str, str]:
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
                     (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors=errors), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        # A UTF-8 file with a few broken bytes must not be "detected" as GB18030 and read
        # as quiet mojibake: say where the bytes are, or replace them when asked to.
        lenient = data.decode("utf-8", errors="replace")
        if lenient.count("\ufffd") <= max(8, len(lenient) // 500):
            if errors == "replace":
                return lenient, "utf-8"
            line = data.count(b"\n", 0, exc.start) + 1
            raise PlantraceError(
                f"invalid UTF-8 byte sequence at byte {exc.start}", file=name, line=line,
                hint="repair the file, or set encoding_errors=replace in the manifest to replace "
                     "invalid bytes (they are counted)") from exc
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(CANDIDATE_ENCODINGS), threshold=CHAOS_THRESHOLD).best()
    if best is None:
        raise PlantraceError(
            "not in a Chinese text encoding (tried UTF-8, GB18030, Big5, UTF-16)", file=name,
            hint="re-save the file as UTF-8, or give its encoding in the manifest column 'encoding'",
        )
    text = str(best)
    return text, best.encoding


def _looks_binary(data: bytes) -> bool:
    head = data[:4096]
    if head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"PK\x03\x04", b"GIF8")):
        return True
    # NUL bytes mean binary unless the file is UTF-16/32 (which has NULs in ASCII);
    # the UTF-32-BE BOM itself starts with NULs.
    return b"\x00" in head and not head.startswith(_BOMS)


def read_raw(path: str | Path, *, encoding: str | None = None,
             max_bytes: int = DEFAULT_MAX_BYTES, errors: str = "strict") -> RawText:
    """Read one document. ``encoding`` overrides detection for a .txt file; ``errors="replace"``
    replaces invalid byte sequences with U+FFFD and counts them in ``RawText.replaced``."""
    if errors not in ("strict", "replace"):
        raise PlantraceError(f"encoding_errors {errors!r} is not strict or replace", file=str(path),
                             hint="use encoding_errors=replace, or leave it empty")
    p = Path(path)
    name = str(p)
    if not p.is_file():
        raise PlantraceError("document not found", file=name, hint="check the manifest's file column")
    size = p.stat().st_size
    if size > max_bytes:
        raise PlantraceError(
            f"file is {_size(size)}, over the {_size(max_bytes)} limit", file=name,
            hint="split the document, or raise the limit (plantrace --max-mb N …, or load_corpus(max_bytes=N))",
        )
    suffix = p.suffix.lower()
    if suffix == ".docx":
        return RawText(_read_docx(p), "docx", "docx", size)
    if suffix == ".pdf":
        return RawText(_read_pdf(p), "pdf", "pdf", size)
    data = p.read_bytes()
    if not data:
        raise PlantraceError("file is empty (0 bytes)", file=name, hint="remove it from the manifest or fill it")
    if encoding:
        try:
            text = data.decode(encoding, errors=errors)
        except (UnicodeDecodeError, LookupError) as exc:
            raise PlantraceError(f"cannot be read as {encoding}: {exc}", file=name,
                                 hint="remove the encoding override to detect it") from exc
        _refuse_blank(text, name)
        return RawText(text, encoding, "txt", size, text.count("\ufffd") if errors == "replace" else 0)
    if not data.strip():
        _refuse_blank("", name)
    binary = _looks_binary(data)
    bomless = _utf16_without_bom(data) if binary else None
    if binary and not bomless:
        raise PlantraceError("is a binary file, not text", file=name,
                             hint="give the real .pdf/.docx file, or convert it to UTF-8 text")
    # Decode BOM-less UTF-16 here: charset-normalizer does not recognise it.
    text, enc = (data.decode(bomless), bomless) if bomless else _decode_txt(data, name, errors)
    _refuse_blank(text, name)
    if not _HAN.search(text):
        raise PlantraceError(f"decoded as {enc} but holds no Chinese characters", file=name,
                             hint="check the file is the document, or give its encoding")
    return RawText(text, enc, "txt", size, text.count("\ufffd") if errors == "replace" else 0)


def _size(n: int) -> str:
    return f"{n:,} bytes" + (f" ({n / 2**20:.1f} MiB)" if n >= 2**20 else "")


def _refuse_blank(text: str, name: str) -> None:
    if not text.replace("\ufeff", "").strip():
        raise PlantraceError("file holds only whitespace, no text", file=name,
                             hint="remove it from the manifest or fill it")


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when ``data`` is BOM-less UTF-16 Chinese text, else None."""
    # ASCII in UTF-16 has its NUL byte at odd offsets (LE) or even offsets (BE); the NUL
    # positions choose the byte order, and the text must then decode cleanly to Han.
    odd, even = data[1::2].count(0), data[0::2].count(0)
    if odd == even:
        return None
    enc = "utf-16-le" if odd > even else "utf-16-be"
    try:
        text = data.decode(enc)
    except UnicodeDecodeError:
        return None
    return enc if _HAN.search(text) and "\x00" not in text else None


def _read_docx(p: Path) -> str:
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise PlantraceError("python-docx is missing", file=str(p), hint="pip install python-docx") from exc
    try:
        document = docx.Document(str(p))
    except Exception as exc:  # python-docx raises several types for a bad package
        raise PlantraceError(f"not a readable .docx ({exc.__class__.__name__})", file=str(p),
                             hint="open and re-save it in Word or LibreOffice") from exc
    # Paragraph order is reading order; tables are appended after, one cell per line,
    # the way the provincial collector flattened them.
    lines = [para.text for para in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


def _read_pdf(p: Path) -> str:
    # pdfplumber, chosen by measurement (see plantrace.pdftext): lines in page order, a
    # blank line after a paragraph's last line, \f between pages; a scan without a text
    # layer is refused with a hint to OCR it.
    from .pdftext import read_pdf_text

    return read_pdf_text(p)
